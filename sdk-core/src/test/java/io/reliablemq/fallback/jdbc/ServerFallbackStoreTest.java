package io.reliablemq.fallback.jdbc;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreContractTest;
import io.reliablemq.testsupport.TestDatabase;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/**
 * The {@link FallbackStoreContractTest} on a real database server, one table prefix per test,
 * dropped afterwards. Skipped when the server is unreachable unless databases are required.
 */
abstract class ServerFallbackStoreTest extends FallbackStoreContractTest {
  private final TestDatabase db;
  private final DataSource dataSource;
  private String prefix;

  ServerFallbackStoreTest(TestDatabase db) {
    this.db = db;
    this.dataSource = db.dataSource();
  }

  @Override
  protected FallbackStore openStore(FallbackStoreConfig.Builder config) {
    if (prefix == null) {
      db.requireReachable();
      prefix = TestDatabase.newPrefix();
    }
    return JdbcFallbackStore.create(
        dataSource, db.kind().fallbackDialect(), config.tablePrefix(prefix).build());
  }

  @AfterEach
  void dropTestTables() {
    if (store != null) {
      store.close();
    }
    if (prefix != null) {
      db.dropTables(prefix);
    }
  }
}
