package io.reliablemq.transaction;

import io.reliablemq.transaction.internal.JdbcLocalTransactionRunner;
import javax.sql.DataSource;

/**
 * Runs work in one local database transaction: the seam through which Spring's {@code
 * PlatformTransactionManager} (or any other transaction manager) takes over from the plain JDBC
 * default.
 *
 * <p>Contract: get one connection of the business database, begin a transaction, call {@code
 * work.execute(connection)}, commit when it returns (and return its result only after the commit
 * succeeded), roll back and rethrow when it or the commit throws. After a successful commit it must
 * not throw (a failing close is only logged): the sender treats a throw after the work returned as
 * an unknown outcome and leaves the message to the check-back, which answers from the log row.
 */
@FunctionalInterface
public interface LocalTransactionRunner {
  /**
   * Runs the work in one local transaction.
   *
   * @param work the work
   * @param <T> its result type
   * @return its result, after the commit
   * @throws Exception what the work or the commit threw, after the rollback
   */
  <T> T inTransaction(LocalTransaction<T> work) throws Exception;

  /**
   * The plain JDBC runner: a connection from the data source with auto-commit off, committed or
   * rolled back, auto-commit restored and closed.
   *
   * @param dataSource the business database
   * @return the runner
   */
  static LocalTransactionRunner jdbc(DataSource dataSource) {
    return new JdbcLocalTransactionRunner(dataSource);
  }
}
