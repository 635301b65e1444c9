package io.reliablemq.transaction.internal;

import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.Migration;
import io.reliablemq.transaction.TransactionLogDialect;
import java.util.List;

/** The transaction log on H2 2.x. */
public final class H2TransactionLogDialect implements TransactionLogDialect {
  /** The shared instance; the dialect is stateless. */
  public static final H2TransactionLogDialect INSTANCE = new H2TransactionLogDialect();

  private H2TransactionLogDialect() {}

  @Override
  public String name() {
    return "h2";
  }

  @Override
  public Dialect versionTableDialect() {
    return H2Dialect.INSTANCE;
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
