package io.reliablemq.transaction.internal;

import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.MariaDbDialect;
import io.reliablemq.fallback.jdbc.PostgresDialect;
import io.reliablemq.jdbc.Migration;
import io.reliablemq.transaction.TransactionLogDialect;
import java.util.List;

/**
 * The transaction log's dialects. The log's table is plain standard SQL on every supported database
 * (VARCHAR and BIGINT columns, one index), so the databases differ only in the fallback dialect
 * whose version table the log shares and in the table options MariaDB needs.
 */
public final class SqlTransactionLogDialect implements TransactionLogDialect {
  /** H2 2.x. */
  public static final SqlTransactionLogDialect H2 =
      new SqlTransactionLogDialect("h2", H2Dialect.INSTANCE, "");

  /** PostgreSQL 12 or later. */
  public static final SqlTransactionLogDialect POSTGRESQL =
      new SqlTransactionLogDialect("postgresql", PostgresDialect.INSTANCE, "");

  /**
   * MariaDB 10.6 or later (tested on 10.11) and MySQL 8: InnoDB with the binary utf8mb4 collation,
   * so ids compare byte for byte.
   */
  public static final SqlTransactionLogDialect MARIADB =
      new SqlTransactionLogDialect(
          "mariadb", MariaDbDialect.INSTANCE, MariaDbDialect.TABLE_OPTIONS);

  private final String name;
  private final Dialect versionTableDialect;
  private final String tableOptions;

  private SqlTransactionLogDialect(String name, Dialect versionTableDialect, String tableOptions) {
    this.name = name;
    this.versionTableDialect = versionTableDialect;
    this.tableOptions = tableOptions;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Dialect versionTableDialect() {
    return versionTableDialect;
  }

  @Override
  public List<Migration> migrations(String table) {
    return List.of(
        new Migration(
            1,
            "create transaction log table",
            List.of(
                "CREATE TABLE "
                    + table
                    + " (\n"
                    + "  id VARCHAR(255) NOT NULL PRIMARY KEY,\n"
                    + "  status VARCHAR(16) NOT NULL,\n"
                    + "  topic VARCHAR(255) NOT NULL,\n"
                    + "  business_type VARCHAR(64),\n"
                    + "  created_at BIGINT NOT NULL\n"
                    + ")"
                    + tableOptions,
                "CREATE INDEX " + table + "_created_idx ON " + table + " (created_at)")));
  }
}
