package io.reliablemq.transaction;

import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.jdbc.DatabaseKind;
import io.reliablemq.jdbc.Migration;
import io.reliablemq.transaction.internal.SqlTransactionLogDialect;
import java.util.List;
import java.util.Objects;

/**
 * What the transaction log needs to know about one database: its numbered migrations and the SQL of
 * each operation. Table names handed in are validated ({@code ^[A-Za-z][A-Za-z0-9_]{0,62}$}); every
 * value is a {@code ?} bound through a {@code PreparedStatement}. The defaults are standard SQL; a
 * dialect usually only overrides the DDL.
 *
 * <p>Columns: {@code id} (the {@code reliablemq_id}, primary key, which is what makes a late local
 * commit fail against a ROLLED_BACK marker), {@code status} ({@code COMMITTED} or {@code
 * ROLLED_BACK}), {@code topic}, {@code business_type}, {@code created_at} (epoch ms).
 */
public interface TransactionLogDialect {
  /**
   * The transaction log's dialect for a database.
   *
   * @param kind the database, for example from {@link DatabaseKind#detect}
   * @return the dialect
   */
  static TransactionLogDialect of(DatabaseKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case H2 -> h2();
      case POSTGRESQL -> postgresql();
      case MARIADB -> mariadb();
    };
  }

  /** The status of a row written by a committed local transaction. */
  String COMMITTED = "COMMITTED";

  /** The status of the marker the check-back writes before it answers ROLLBACK. */
  String ROLLED_BACK = "ROLLED_BACK";

  /**
   * The H2 2.x dialect.
   *
   * @return the dialect
   */
  static TransactionLogDialect h2() {
    return SqlTransactionLogDialect.H2;
  }

  /**
   * The PostgreSQL 12+ dialect.
   *
   * @return the dialect
   */
  static TransactionLogDialect postgresql() {
    return SqlTransactionLogDialect.POSTGRESQL;
  }

  /**
   * The MariaDB 10.6+ / MySQL 8 dialect.
   *
   * @return the dialect
   */
  static TransactionLogDialect mariadb() {
    return SqlTransactionLogDialect.MARIADB;
  }

  /**
   * A short name for logs, e.g. {@code h2}.
   *
   * @return the name
   */
  String name();

  /**
   * The fallback store's dialect of the same database, whose version-table SQL the log shares (one
   * version table, rows keyed by component).
   *
   * @return the dialect
   */
  Dialect versionTableDialect();

  /**
   * The numbered migrations, oldest first, versions 1, 2, ... without gaps.
   *
   * @param table the validated log table name
   * @return the migrations
   */
  List<Migration> migrations(String table);

  /**
   * Inserts a row; parameters id, status, topic, business_type, created_at.
   *
   * @param table the log table
   * @return the SQL
   */
  default String insertSql(String table) {
    return "INSERT INTO "
        + table
        + " (id, status, topic, business_type, created_at) VALUES (?, ?, ?, ?, ?)";
  }

  /**
   * Reads the status of one row; parameter id.
   *
   * @param table the log table
   * @return the SQL
   */
  default String findSql(String table) {
    return "SELECT status FROM " + table + " WHERE id = ?";
  }

  /**
   * Deletes rows created before a time; parameter created_at bound.
   *
   * @param table the log table
   * @return the SQL
   */
  default String purgeSql(String table) {
    return "DELETE FROM " + table + " WHERE created_at < ?";
  }
}
