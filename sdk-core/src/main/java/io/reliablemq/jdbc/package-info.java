/**
 * What the SDK's JDBC stores share, below all of them: which database a {@link
 * javax.sql.DataSource} reaches ({@link io.reliablemq.jdbc.DatabaseKind#detect}, so that a caller
 * such as the Spring starter builds the fallback store, the dedup store and the transaction log on
 * its own data source without naming a dialect; each store maps the kind to its dialect), the
 * numbered {@link io.reliablemq.jdbc.Migration}s of their schemas, and who applies them ({@link
 * io.reliablemq.jdbc.SchemaManagement}). It depends on no store, so every store may use it.
 */
package io.reliablemq.jdbc;
