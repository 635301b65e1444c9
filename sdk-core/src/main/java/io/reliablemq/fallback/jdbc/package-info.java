/**
 * The JDBC {@link io.reliablemq.fallback.FallbackStore}: {@link
 * io.reliablemq.fallback.jdbc.JdbcFallbackStore} with a {@link io.reliablemq.fallback.jdbc.Dialect}
 * per database ({@link io.reliablemq.fallback.jdbc.H2Dialect} for the embedded default file),
 * numbered {@link io.reliablemq.jdbc.Migration}s recorded in a version table, and group commit of
 * concurrent appends.
 */
package io.reliablemq.fallback.jdbc;
