package io.reliablemq.jdbc;

import io.reliablemq.ReliableMQException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A database the SDK's JDBC stores support. Each store maps a kind to its dialect ({@code
 * Dialect.of}, {@code DedupDialect.of}, {@code TransactionLogDialect.of}), so that this package,
 * which every store uses for its schema types, depends on none of them.
 *
 * <pre>{@code
 * DatabaseKind db = DatabaseKind.detect(dataSource);
 * FallbackStore store = JdbcFallbackStore.create(dataSource, Dialect.of(db), config);
 * }</pre>
 */
public enum DatabaseKind {
  /** H2 2.x (embedded files, or an application's in-memory or file database). */
  H2("h2"),
  /** PostgreSQL 12 or later. */
  POSTGRESQL("postgresql"),
  /** MariaDB 10.6 or later and MySQL 8.0.1 or later (InnoDB); tested on MariaDB 10.11. */
  MARIADB("mariadb");

  private final String dialectName;

  DatabaseKind(String dialectName) {
    this.dialectName = dialectName;
  }

  /**
   * The dialect name the stores log, e.g. {@code postgresql}.
   *
   * @return the name
   */
  public String dialectName() {
    return dialectName;
  }

  /**
   * The kind of a {@code DatabaseMetaData.getDatabaseProductName()}: {@code H2}, {@code
   * PostgreSQL}, {@code MariaDB} or {@code MySQL}, in any case.
   *
   * @param productName the product name the driver reports
   * @return the kind, empty for a database the SDK has no dialect for
   */
  public static Optional<DatabaseKind> fromProductName(String productName) {
    if (productName == null) {
      return Optional.empty();
    }
    String p = productName.trim().toLowerCase(Locale.ROOT);
    if (p.equals("h2")) {
      return Optional.of(H2);
    }
    if (p.equals("postgresql")) {
      return Optional.of(POSTGRESQL);
    }
    if (p.equals("mariadb") || p.equals("mysql")) {
      return Optional.of(MARIADB);
    }
    return Optional.empty();
  }

  /**
   * The kind of a dialect name as the DDL printers take it: {@code h2}, {@code postgresql} (or
   * {@code postgres}), {@code mariadb} (or {@code mysql}).
   *
   * @param name the name, any case
   * @return the kind
   * @throws IllegalArgumentException naming the known dialects when the name is not one of them
   */
  public static DatabaseKind fromDialectName(String name) {
    String n = Objects.requireNonNull(name, "dialect").trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "postgres":
        return POSTGRESQL;
      case "mysql":
        return MARIADB;
      default:
        return Arrays.stream(values())
            .filter(k -> k.dialectName.equals(n))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "dialect must be one of h2, postgresql, mariadb, was \"" + name + '"'));
    }
  }

  /**
   * Asks the database behind a data source what it is. Opens and closes one connection.
   *
   * @param dataSource the data source
   * @return the kind
   * @throws ReliableMQException when no connection can be made, or the database is one the SDK has
   *     no dialect for (the message names the product)
   */
  public static DatabaseKind detect(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    String product;
    try (Connection c = dataSource.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new ReliableMQException(
          "Cannot detect the database of the data source: SQL error "
              + e.getErrorCode()
              + "/"
              + e.getSQLState()
              + ": "
              + e.getMessage(),
          e);
    }
    return fromProductName(product)
        .orElseThrow(
            () ->
                new ReliableMQException(
                    "No ReliableMQ store dialect for database product \""
                        + product
                        + "\"; supported: H2, PostgreSQL, MariaDB, MySQL",
                    null));
  }
}
