package io.reliablemq.transaction.internal;

import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.fallback.jdbc.MariaDbDialect;
import io.reliablemq.fallback.jdbc.Migration;
import io.reliablemq.transaction.TransactionLogDialect;
import java.util.List;

/**
 * The transaction log on MariaDB 10.6 or later (tested on 10.11) and MySQL 8, InnoDB, binary
 * utf8mb4 collation.
 */
public final class MariaDbTransactionLogDialect implements TransactionLogDialect {
  /** The shared instance; the dialect is stateless. */
  public static final MariaDbTransactionLogDialect INSTANCE = new MariaDbTransactionLogDialect();

  private MariaDbTransactionLogDialect() {}

  @Override
  public String name() {
    return "mariadb";
  }

  @Override
  public Dialect versionTableDialect() {
    return MariaDbDialect.INSTANCE;
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
                    + MariaDbDialect.TABLE_OPTIONS,
                "CREATE INDEX " + table + "_created_idx ON " + table + " (created_at)")));
  }
}
