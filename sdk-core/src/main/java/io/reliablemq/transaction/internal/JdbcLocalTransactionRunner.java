package io.reliablemq.transaction.internal;

import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.LocalTransactionRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The plain JDBC {@link LocalTransactionRunner}: one connection, auto-commit off. */
public final class JdbcLocalTransactionRunner implements LocalTransactionRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcLocalTransactionRunner.class);

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
    Connection c = dataSource.getConnection();
    T result;
    try {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        result = work.execute(c);
        // A throw from commit() itself leaves the outcome unknown (the connection may have died
        // after the database committed): it propagates, and the sender decides from the log row.
        c.commit();
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
    } catch (Exception | Error e) {
      try {
        c.close();
      } catch (SQLException | RuntimeException ce) {
        e.addSuppressed(ce);
      }
      throw e;
    }
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      // Committed: reporting the send as failed now would roll back the message of a committed
      // transaction, so a failing close is only logged.
      LOG.warn(
          "Closing the connection after a committed local transaction failed ({}); the"
              + " transaction stays committed",
          e.getClass().getSimpleName());
    }
    return result;
  }
}
