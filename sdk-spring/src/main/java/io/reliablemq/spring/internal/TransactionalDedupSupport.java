package io.reliablemq.spring.internal;

import io.reliablemq.consumer.MessageHandler;
import io.reliablemq.consumer.TransactionalMessageHandler;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * The Spring side of {@code @ReliableMessageListener(transactionalDedup = true)}.
 *
 * <p>The core's transactional mode owns the transaction: it opens the connection, runs the handler,
 * writes the CONSUMED mark only while this instance still owns the claim, and commits. Driving it
 * through the application's {@code PlatformTransactionManager} instead would move the commit point
 * out of the core and force the starter to re-implement the claim-ownership check. So the starter
 * only makes the core's connection visible to Spring: it is bound to the thread as the {@code
 * DataSource}'s active transactional {@link ConnectionHolder}, exactly what {@code
 * DataSourceTransactionManager} binds. {@code JdbcTemplate} and {@code DataSourceUtils} then use
 * it, and a {@code @Transactional} (REQUIRED) method called from the listener joins it instead of
 * committing on its own.
 *
 * <p>Referenced only when such a listener exists: {@code spring-jdbc} is an optional dependency.
 */
public final class TransactionalDedupSupport {
  private static final String CONNECTION_HOLDER =
      "org.springframework.jdbc.datasource.ConnectionHolder";

  private TransactionalDedupSupport() {}

  /**
   * Whether {@code spring-jdbc} is on the class path.
   *
   * @param classLoader the application's class loader
   * @return true when the binding can be made
   */
  public static boolean available(ClassLoader classLoader) {
    return ClassUtils.isPresent(CONNECTION_HOLDER, classLoader);
  }

  /**
   * Wraps a listener method so that it runs with the consumer's transactional connection bound as
   * the {@code DataSource}'s current connection.
   *
   * @param dataSource the application's database, the key Spring's JDBC support looks up
   * @param id the listener's {@code bean.method}, for messages
   * @param method the listener method
   * @return the handler for the core's transactional mode
   */
  public static TransactionalMessageHandler handler(
      DataSource dataSource, String id, MessageHandler method) {
    return (message, connection) -> {
      ConnectionHolder holder = new ConnectionHolder(connection, true);
      // Marked as synchronized so DataSourceUtils hands out this connection rather than a new one.
      holder.setSynchronizedWithTransaction(true);
      TransactionSynchronizationManager.bindResource(dataSource, holder);
      try {
        method.handle(message);
      } finally {
        TransactionSynchronizationManager.unbindResource(dataSource);
      }
      if (holder.isRollbackOnly()) {
        // A joined @Transactional failed and was caught in the method: the work is incomplete.
        throw new IllegalStateException(
            id + ": the transaction was marked rollback-only; rolling back effect and mark");
      }
    };
  }
}
