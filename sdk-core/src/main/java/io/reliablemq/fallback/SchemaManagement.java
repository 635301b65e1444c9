package io.reliablemq.fallback;

/** Who creates and upgrades the fallback store's tables. */
public enum SchemaManagement {
  /**
   * The store runs its numbered migrations at open, recording each in the version table. The
   * default, and the only sensible choice for the embedded H2 file.
   */
  AUTO,

  /**
   * The store creates nothing: the schema belongs to Flyway, Liquibase or a DBA (print it with
   * {@code JdbcFallbackStore.ddl}). At open the store only checks that the version table records
   * the version this SDK expects, and fails clearly otherwise.
   */
  NONE
}
