/**
 * Which database a {@link javax.sql.DataSource} reaches, and the dialects of every SDK store for
 * it: {@link io.reliablemq.jdbc.DatabaseKind#detect} lets a caller (the Spring starter, an
 * application) build the fallback store, the dedup store and the transaction log on its own data
 * source without naming a dialect.
 */
package io.reliablemq.jdbc;
