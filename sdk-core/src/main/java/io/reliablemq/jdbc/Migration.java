package io.reliablemq.jdbc;

import java.util.List;
import java.util.Objects;

/**
 * One numbered schema migration of a JDBC store (fallback store, dedup store, transaction log): the
 * statements that take the schema from {@code version - 1} to {@code version}. Migrations are
 * append-only: a released one is never edited, a change is a new number (Flyway users copy each
 * into their own {@code V*.sql}).
 *
 * @param version the version it produces, from 1, consecutive
 * @param description what it does, recorded in the version table
 * @param statements the DDL statements, without trailing semicolons
 */
public record Migration(int version, String description, List<String> statements) {
  /**
   * Creates a migration.
   *
   * @param version the version it produces, at least 1
   * @param description what it does
   * @param statements the DDL statements
   */
  public Migration {
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, was " + version);
    }
    Objects.requireNonNull(description, "description");
    statements = List.copyOf(statements);
  }
}
