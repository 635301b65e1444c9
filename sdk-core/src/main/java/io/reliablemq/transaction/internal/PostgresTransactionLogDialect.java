package io.reliablemq.transaction.internal;

import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.fallback.jdbc.Migration;
import io.reliablemq.fallback.jdbc.PostgresDialect;
import io.reliablemq.transaction.TransactionLogDialect;
import java.util.List;

/** The transaction log on PostgreSQL 12 or later. */
public final class PostgresTransactionLogDialect implements TransactionLogDialect {
  /** The shared instance; the dialect is stateless. */
  public static final PostgresTransactionLogDialect INSTANCE = new PostgresTransactionLogDialect();

  private PostgresTransactionLogDialect() {}

  @Override
  public String name() {
    return "postgresql";
  }

  @Override
  public Dialect versionTableDialect() {
    return PostgresDialect.INSTANCE;
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
                    + ")",
                "CREATE INDEX " + table + "_created_idx ON " + table + " (created_at)")));
  }
}
