/**
 * Internal JDBC plumbing shared by the SDK's stores (the fallback store and the dedup store): the
 * embedded H2 file with its durable URL, permissions and one-open-per-process registry, and the
 * numbered-migration runner over the shared version table. Not an API: it may change in any
 * release.
 */
package io.reliablemq.internal.jdbc;
