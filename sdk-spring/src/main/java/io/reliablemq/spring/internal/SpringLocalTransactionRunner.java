package io.reliablemq.spring.internal;

import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.LocalTransactionRunner;
import java.sql.Connection;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the local transaction of a transactional send through the application's {@link
 * PlatformTransactionManager}: the work gets the transaction-bound connection, so {@code
 * JdbcTemplate} and JPA code called from it join the same transaction.
 *
 * <p>The core commits the message only after this returns, so this must return only after the
 * database commit. It therefore refuses to run inside a transaction that is already active (a
 * caller's {@code @Transactional}): joining it would commit the message before the database. {@code
 * ReliableTemplate.sendInTransaction} handles that case itself ({@link OuterTransactionSend}).
 */
public final class SpringLocalTransactionRunner implements LocalTransactionRunner {
  private final TransactionTemplate template;
  private final DataSource dataSource;

  /**
   * Creates the runner.
   *
   * @param transactionManager the application's transaction manager for {@code dataSource}
   * @param dataSource the business database
   */
  public SpringLocalTransactionRunner(
      PlatformTransactionManager transactionManager, DataSource dataSource) {
    this.template = new TransactionTemplate(Objects.requireNonNull(transactionManager));
    this.template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
    this.dataSource = Objects.requireNonNull(dataSource);
  }

  @Override
  public <T> T inTransaction(LocalTransaction<T> work) throws Exception {
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException(
          "a transactional send must not run inside an active transaction (@Transactional):"
              + " its local work runs in a transaction of its own, committed before the message;"
              + " ReliableTemplate.sendInTransaction joins an outer transaction");
    }
    try {
      return template.execute(
          status -> {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
              return work.execute(connection);
            } catch (RuntimeException e) {
              throw e;
            } catch (Exception e) {
              throw new CheckedFailure(e);
            } finally {
              DataSourceUtils.releaseConnection(connection, dataSource);
            }
          });
    } catch (CheckedFailure e) {
      throw (Exception) e.getCause();
    }
  }

  /** Carries a checked exception of the work through the transaction template. */
  private static final class CheckedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckedFailure(Exception cause) {
      super(cause);
    }
  }
}
