package io.reliablemq.transaction.internal;

import io.reliablemq.transaction.TransactionLogDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;

/** The transaction log contract on an in-memory H2 database, one per test. */
class H2TransactionLogTest extends TransactionLogContractTest {
  private JdbcDataSource dataSource;
  private Connection keepAlive;

  @AfterEach
  void dropDatabase() throws SQLException {
    keepAlive.close();
  }

  @Override
  protected DataSource dataSource() {
    // Made on first use: the contract's @BeforeEach, which opens the log, runs before ours would.
    if (dataSource == null) {
      dataSource = new JdbcDataSource();
      dataSource.setURL("jdbc:h2:mem:txlog-" + UUID.randomUUID() + ";LOCK_TIMEOUT=10000");
      try {
        keepAlive = dataSource.getConnection();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
    return dataSource;
  }

  @Override
  protected TransactionLogDialect dialect() {
    return TransactionLogDialect.h2();
  }

  @Override
  protected String prefix() {
    return "rmq";
  }
}
