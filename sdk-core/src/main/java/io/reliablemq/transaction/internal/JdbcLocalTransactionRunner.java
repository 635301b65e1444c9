package io.reliablemq.transaction.internal;

import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.LocalTransactionRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/** The plain JDBC {@link LocalTransactionRunner}: one connection, auto-commit off. */
public final class JdbcLocalTransactionRunner implements LocalTransactionRunner {
  private final DataSource dataSource;

  /**
   * Creates the runner.
   *
   * @param dataSource the business database
   */
  public JdbcLocalTransactionRunner(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public <T> T inTransaction(LocalTransaction<T> work) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.execute(c);
        c.commit();
        return result;
      } catch (Exception | Error e) {
        try {
          c.rollback();
        } catch (SQLException re) {
          e.addSuppressed(re);
        }
        throw e;
      } finally {
        try {
          // A pooled connection goes back as it came.
          c.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
          // the pool discards a broken connection
        }
      }
    }
  }
}
