package io.reliablemq.jdbc;

/**
 * Who creates and upgrades the tables of a JDBC store: the fallback store, the dedup store and the
 * transaction log each take one (in their configurations).
 */
public enum SchemaManagement {
  /**
   * The store runs its numbered migrations at open, recording each in the version table. The
   * default, and the only sensible choice for the embedded H2 file.
   */
  AUTO,

  /**
   * The store creates nothing: the schema belongs to Flyway, Liquibase or a DBA (print it with
   * {@code JdbcFallbackStore.ddl}, {@code JdbcDedupStore.ddl}). At open the store only checks that
   * the version table records the version this SDK expects, and fails clearly otherwise.
   */
  NONE
}
