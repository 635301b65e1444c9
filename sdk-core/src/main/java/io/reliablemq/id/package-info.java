/**
 * Logical message ids: one id per logical message, kept across every retry, fallback and replay,
 * and the key consumers deduplicate by.
 */
package io.reliablemq.id;
