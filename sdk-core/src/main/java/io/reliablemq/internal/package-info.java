/**
 * Internal helpers shared by the SDK's feature packages: closing client objects with a bound, the
 * client's log guard, the endpoint watcher, message validation (producer, transactional sender and
 * relay validate alike) and the client configuration every client of the SDK is built with. Not an
 * API: it may change in any release. It depends only on the lower API packages ({@code client},
 * {@code message}), never on a feature, so that every feature may use it without a package cycle.
 */
package io.reliablemq.internal;
