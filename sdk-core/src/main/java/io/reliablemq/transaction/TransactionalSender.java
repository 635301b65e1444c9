package io.reliablemq.transaction;

import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import io.reliablemq.transaction.internal.TransactionalSenderImpl;
import java.util.function.Supplier;

/**
 * The transactional send template: a message is delivered if and only if the business's local
 * transaction committed.
 *
 * <p>{@link #send(ReliableMessage, LocalTransaction)}: validates the message (before any I/O),
 * begins an MQ transaction and sends the half message (through the same retry, circuit and total
 * deadline as a plain send of the producer), then runs the local transaction, which first inserts a
 * transaction-log row (status COMMITTED, keyed by {@code reliablemq_id}) and then does the business
 * work; commits the database, then commits the MQ transaction. When the business work throws, both
 * are rolled back and the exception is rethrown. Only a local transaction that certainly rolled
 * back rolls the message back: when the work returned and the commit then threw, the log row
 * decides (visible: the message is committed; not visible: {@link TransactionInDoubtException}, and
 * the check-back decides).
 *
 * <p>Check-back (when the commit never reached the broker, e.g. the process died): the log answers.
 * A COMMITTED row means COMMIT; no row in a message older than the grace period means the local
 * transaction never committed, so a ROLLED_BACK marker is inserted under the same key first (a late
 * local commit then fails on the unique key) and the answer is ROLLBACK; otherwise UNKNOWN, and the
 * broker asks again. Ids still in the outbox are committed (they are being replayed). Messages of
 * other business types go to the checker registered for their type; unknown types answer UNKNOWN
 * and are logged and counted.
 *
 * <p>Outage: if the half message cannot be sent, the local transaction does not run and {@link
 * TransactionUnavailableException} is thrown; in outbox mode the message is instead inserted into
 * the fallback store in the local transaction and replayed later as begin + send + commit.
 *
 * <p>Thread-safe; create one per application and close it on shutdown.
 */
public interface TransactionalSender extends AutoCloseable {

  /**
   * Creates and starts a sender: migrates (or checks) the log's schema and starts the client, the
   * log cleanup and, in outbox mode, the replayer. Can start while the broker is down.
   *
   * @param config the configuration
   * @return the sender
   */
  static TransactionalSender create(TransactionalSenderConfig config) {
    return TransactionalSenderImpl.create(config);
  }

  /**
   * Creates and starts a sender on top of the application's producer, so that plain and
   * transactional sends share one client, one retry/circuit/deadline machine and one set of
   * threads: the half messages go through the producer's attempt machine (its {@link
   * io.reliablemq.producer.ReliableProducerConfig#retry()} and circuit; the config's client
   * settings and retry are not used), and the producer's client answers this sender's check-backs.
   * An outbox that is not the producer's own fallback store is replayed through the producer's
   * client by a replayer this sender starts and stops. {@link #close()} leaves the producer open:
   * close the sender first. One sender per producer.
   *
   * <p>The producer's client announces no topics at start unless it was built with them, so
   * check-backs for half messages a previous instance left behind reach this instance once it sends
   * to their topic (or another instance of the application answers them).
   *
   * @param config the configuration
   * @param producer a producer made by {@link io.reliablemq.producer.ReliableProducer#create}
   * @return the sender
   * @throws IllegalArgumentException when the producer is not one made by the SDK
   * @throws IllegalStateException when the producer already answers check-backs with another check
   */
  static TransactionalSender create(
      TransactionalSenderConfig config, io.reliablemq.producer.ReliableProducer producer) {
    return TransactionalSenderImpl.create(config, producer);
  }

  /**
   * Sends a message in one transaction with the local work.
   *
   * @param message the message: a TRANSACTION topic, no message group, no delivery time or delay
   * @param localTransaction the business work, run inside the local database transaction
   * @param <T> its result type
   * @return COMMITTED, COMMIT_UNCONFIRMED or (outbox mode) STORED, with the work's result
   * @throws io.reliablemq.InvalidMessageException when the message breaks a limit (before any I/O)
   * @throws TransactionUnavailableException when the half message could not be sent (not in outbox
   *     mode): the local transaction did not run
   * @throws io.reliablemq.producer.SendFailedException when the broker rejected the half message
   *     (e.g. not a TRANSACTION topic): the local transaction did not run
   * @throws LocalTransactionException when the work threw a checked exception, or the check-back
   *     had already rolled the message back; unchecked exceptions of the work are rethrown as is
   * @throws TransactionInDoubtException when the work returned but the local commit threw and the
   *     log row is not visible: the message is neither committed nor rolled back, the check-back
   *     decides from the log row (a commit that threw after committing, or a close that threw after
   *     a good commit, is seen through its log row and returns COMMITTED as usual)
   * @throws IllegalStateException when the sender is closed
   */
  <T> TransactionResult<T> send(ReliableMessage message, LocalTransaction<T> localTransaction);

  /**
   * Sends the half message and returns without running any local work: the first phase of a
   * transactional send whose local transaction the caller already has open and commits itself (e.g.
   * an outer Spring {@code @Transactional}). The caller writes the log row in its transaction
   * ({@link PreparedTransaction#writeLog}) and, after that transaction ended, commits or rolls back
   * the message ({@link PreparedTransaction#commit}, {@link PreparedTransaction#rollback}). The
   * message is only final after that second phase; until then consumers do not see it. There is no
   * outbox for this form: an unreachable broker fails the call, and the caller decides whether its
   * transaction goes on without the message.
   *
   * @param message the message, as for {@link #send(ReliableMessage, LocalTransaction)}
   * @return the prepared transaction, to be committed or rolled back
   * @throws io.reliablemq.InvalidMessageException when the message breaks a limit (before any I/O)
   * @throws TransactionUnavailableException when the half message could not be sent
   * @throws io.reliablemq.producer.SendFailedException when the broker rejected the half message
   * @throws IllegalStateException when the sender is closed
   */
  PreparedTransaction prepare(ReliableMessage message);

  /**
   * Sends a message of a legacy flow whose outcome the caller decides itself, without the log: the
   * half message carries the business type, {@code branch} runs after it was sent, and its answer
   * commits, rolls back or (UNKNOWN) leaves the message to the check-back, which the checker
   * registered for the type answers. When {@code branch} throws, the message is rolled back and the
   * exception rethrown. There is no outbox for this form.
   *
   * @param businessType a type registered with {@link TransactionalSenderConfig.Builder#checker}
   * @param message the message, as for {@link #send(ReliableMessage, LocalTransaction)}
   * @param branch decides the message
   * @return COMMITTED, COMMIT_UNCONFIRMED, ROLLED_BACK or UNKNOWN
   * @throws IllegalArgumentException when no checker is registered for the type
   * @throws TransactionUnavailableException when the half message could not be sent
   */
  TransactionResult<Void> send(
      String businessType, ReliableMessage message, Supplier<TransactionDecision> branch);

  /**
   * The check this sender's client answers with (outbox, log, user checkers). Install it on any
   * {@link io.reliablemq.producer.ReliableProducer} of the same process that publishes the same
   * topics ({@link io.reliablemq.producer.ReliableProducerConfig.Builder#transactionCheck}), since
   * the proxy may route a check-back to any of them.
   *
   * @return the check
   */
  TransactionCheck transactionCheck();

  /**
   * Deletes log rows older than the retention now (also done every cleanup interval).
   *
   * @return rows deleted
   */
  int purgeExpiredLog();

  /** Stops the cleanup and the replayer and closes the client. The outbox store is not closed. */
  @Override
  void close();
}
