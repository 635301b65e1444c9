package io.reliablemq.spring.internal;

import io.reliablemq.message.ReliableMessage;
import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.LocalTransactionException;
import io.reliablemq.transaction.PreparedTransaction;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionalSender;
import java.sql.Connection;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A transactional send inside a Spring transaction the caller already has open (an outer
 * {@code @Transactional}): the half message is sent first, the log row and the work run in the
 * caller's transaction, and a {@link TransactionSynchronization} commits the message after that
 * transaction committed or rolls it back after it rolled back. Only loaded when spring-tx and
 * spring-jdbc are present.
 */
public final class OuterTransactionSend {
  private static final Logger LOG = LoggerFactory.getLogger(OuterTransactionSend.class);

  private OuterTransactionSend() {}

  /**
   * Whether the current thread runs in an actual (not merely synchronized) transaction.
   *
   * @return true inside an outer transaction
   */
  public static boolean active() {
    return TransactionSynchronizationManager.isActualTransactionActive();
  }

  /**
   * Sends in the caller's transaction.
   *
   * @param sender the sender
   * @param dataSource the sender's database, which the caller's transaction must hold
   * @param message the message
   * @param work the local work, given the transaction's connection
   * @param <T> the work's result type
   * @return PENDING with the work's result: final only when the caller's transaction ends
   * @throws IllegalStateException when the caller's transaction does not hold {@code dataSource}
   */
  public static <T> TransactionResult<T> send(
      TransactionalSender sender,
      DataSource dataSource,
      ReliableMessage message,
      LocalTransaction<T> work) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()
        || !(TransactionSynchronizationManager.getResource(dataSource)
            instanceof ConnectionHolder holder)) {
      // Another DataSource's (or no synchronizing) transaction: the log row would commit on its
      // own.
      throw new IllegalStateException(
          "sendInTransaction inside a transaction that does not hold the DataSource of the"
              + " transaction log; run the outer transaction with that DataSource's transaction"
              + " manager, or call sendInTransaction outside it");
    }
    PreparedTransaction prepared = sender.prepare(message);
    boolean registered = false;
    try {
      Connection c = DataSourceUtils.getConnection(dataSource);
      try {
        // First, as in the core's send: a check-back arriving while the work runs waits on this
        // uncommitted row instead of rolling the message back under a live transaction.
        prepared.writeLog(c);
        TransactionSynchronizationManager.registerSynchronization(new Decision(prepared));
        registered = true;
        T value = work.execute(c);
        return new TransactionResult<>(
            TransactionStatus.PENDING,
            prepared.topic(),
            prepared.reliableId(),
            prepared.messageId(),
            value);
      } finally {
        DataSourceUtils.releaseConnection(c, dataSource);
      }
    } catch (Throwable e) {
      if (registered) {
        // As a participating @Transactional method that throws: the outer transaction may only
        // roll back, so the log row (and with it the message) cannot commit without the work.
        holder.setRollbackOnly();
      } else {
        prepared.rollback();
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof Error err) {
        throw err;
      }
      throw new LocalTransactionException(
          prepared.topic(),
          prepared.reliableId(),
          false,
          "Local work failed ("
              + e.getClass().getSimpleName()
              + "); the outer transaction is marked rollback-only",
          e);
    }
  }

  /** Decides the message when the caller's transaction ended. */
  private static final class Decision implements TransactionSynchronization {
    private final PreparedTransaction prepared;

    Decision(PreparedTransaction prepared) {
      this.prepared = prepared;
    }

    @Override
    public void afterCommit() {
      TransactionStatus s = prepared.commit();
      if (s != TransactionStatus.COMMITTED) {
        LOG.debug("Transactional message {} {}", prepared.reliableId(), s);
      }
    }

    @Override
    public void afterCompletion(int status) {
      if (status == STATUS_ROLLED_BACK) {
        prepared.rollback();
      }
      // STATUS_UNKNOWN (the commit's outcome is unknown): left to the check-back, which reads the
      // log row; rolling back here could drop a message whose row did commit.
    }
  }
}
