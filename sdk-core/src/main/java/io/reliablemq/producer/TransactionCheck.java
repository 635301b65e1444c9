package io.reliablemq.producer;

/**
 * Answers the broker's check-back for a half message whose commit or rollback never arrived.
 *
 * <p>A RocketMQ 5 producer client has exactly one checker, and the proxy may route a check-back for
 * a topic to any client of the process that publishes the topic. So every SDK producer of a process
 * must answer with the same check: {@link
 * io.reliablemq.transaction.TransactionalSender#transactionCheck()} is that check, and {@link
 * io.reliablemq.producer.ReliableProducerConfig.Builder#transactionCheck} installs it on a {@link
 * io.reliablemq.producer.ReliableProducer}. Users also implement it per business type for legacy
 * flows ({@link io.reliablemq.transaction.TransactionalSenderConfig.Builder#checker}).
 *
 * <p>Implementations must be thread-safe and quick (they run on the client's callback threads);
 * when unsure, answer {@link TransactionDecision#UNKNOWN} and the broker asks again. An exception
 * is answered as UNKNOWN.
 */
@FunctionalInterface
public interface TransactionCheck {
  /** The message property naming the business type of a transactional message. */
  String TYPE_PROPERTY = "reliablemq_tx_type";

  /**
   * The business type of messages sent by {@link
   * io.reliablemq.transaction.TransactionalSender#send(io.reliablemq.message. ReliableMessage,
   * io.reliablemq.transaction.LocalTransaction)}: they are decided by the transaction log.
   */
  String LOG_TYPE = "reliablemq.log";

  /**
   * Decides a half message.
   *
   * @param request what the broker asks about
   * @return the decision, never null
   */
  TransactionDecision check(CheckRequest request);

  /**
   * Called instead of {@link #check} when the producer answered COMMIT because the id is still in
   * its fallback store (a replayed message whose commit got lost), so that every check-back is
   * counted in one place. Does nothing by default.
   *
   * @param request what the broker asked about
   */
  default void onCommittedFromFallbackStore(CheckRequest request) {}
}
