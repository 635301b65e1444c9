/**
 * Internal helpers shared by the SDK's feature packages (closing client objects with a bound). Not
 * an API: it may change in any release.
 */
package io.reliablemq.internal;
