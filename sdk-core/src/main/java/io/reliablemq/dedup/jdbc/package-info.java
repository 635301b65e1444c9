/**
 * The JDBC {@link io.reliablemq.dedup.DedupStore}: {@link io.reliablemq.dedup.jdbc.JdbcDedupStore}
 * with a {@link io.reliablemq.dedup.jdbc.DedupDialect} per database ({@link
 * io.reliablemq.dedup.jdbc.H2DedupDialect} for the embedded default file), migrated through the
 * version table it shares with the fallback store.
 */
package io.reliablemq.dedup.jdbc;
