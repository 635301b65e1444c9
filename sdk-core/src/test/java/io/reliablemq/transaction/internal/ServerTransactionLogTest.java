package io.reliablemq.transaction.internal;

import io.reliablemq.testsupport.TestDatabase;
import io.reliablemq.transaction.TransactionLogDialect;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/** The transaction log contract on a real server, one table prefix per test, dropped after. */
abstract class ServerTransactionLogTest extends TransactionLogContractTest {
  private final TestDatabase db;
  private final DataSource dataSource;
  private String prefix;

  ServerTransactionLogTest(TestDatabase db) {
    this.db = db;
    this.dataSource = db.dataSource();
  }

  @Override
  protected DataSource dataSource() {
    return dataSource;
  }

  @Override
  protected TransactionLogDialect dialect() {
    return TransactionLogDialect.of(db.kind());
  }

  @Override
  protected String prefix() {
    if (prefix == null) {
      db.requireReachable();
      prefix = TestDatabase.newPrefix();
    }
    return prefix;
  }

  @AfterEach
  void dropTestTables() {
    if (prefix != null) {
      db.dropTables(prefix);
    }
  }
}
