package io.reliablemq.consumer;

import io.reliablemq.consumer.internal.ReliableConsumerImpl;
import javax.sql.DataSource;

/**
 * Consumes RocketMQ 5 messages so that business code runs to completion before a message is
 * acknowledged, and, with dedup on, a message with the same dedup key reaches business code once
 * while its dedup record lives: through redeliveries, broker crashes, producer retries and fallback
 * replays. Push style, over the official client's {@code PushConsumer}.
 *
 * <p><b>What each mode promises.</b>
 *
 * <ul>
 *   <li>{@link DedupConfig#disabled() No dedup}: at least once. Every delivery runs the handler.
 *   <li>Dedup ({@link #start} / {@link #startAsync} with {@link DedupConfig#custom}): a duplicate
 *       arriving after the CONSUMED mark is acknowledged without running the handler, and two
 *       deliveries never run at once (the second gets FAILURE while the first holds a live lease).
 *       One window is left: a crash (or a lease lost to a handler stalled past it) after the effect
 *       and before the mark commits lets the redelivery run the handler again once the lease ends.
 *       Use it when the effect is idempotent anyway or a rare repeat is tolerable.
 *   <li>Transactional ({@link #startTransactional}): the CONSUMED mark is written through the
 *       handler's own connection and commits with the effect, and only while this instance still
 *       owns the claim; so a crash at any point leaves both or neither, and the effect is applied
 *       exactly once. The dedup table must live in the business database ({@code
 *       JdbcDedupStore.create(dataSource, ...)} on the same {@link DataSource}).
 * </ul>
 *
 * <p>Outside the promise: effects outside the database transaction (an HTTP call, an e-mail) in any
 * mode, and duplicates arriving after the record's TTL.
 *
 * <p>A failed or unsafe-to-run delivery answers FAILURE: the broker redelivers it with its backoff
 * (at most 16 retries by default, then the dead-letter queue). FIFO consumer groups deliver the
 * messages of one message group in order, one at a time.
 *
 * <p><b>Starting during an outage.</b> When the broker cannot be reached at start (the SDK's {@link
 * io.reliablemq.producer.ExceptionClassifier} calls the client's error retryable), the start
 * methods still return: the consumer is {@link ConsumerState#WAITING} and starts the client again
 * in the background, backing off from {@link ReliableConsumerConfig#connectInitialBackoff()} to
 * {@link ReliableConsumerConfig#connectMaxBackoff()} with jitter, until it is {@link
 * ConsumerState#RUNNING}. Errors that would not heal (a topic that does not exist, a refused
 * request) still fail the start.
 */
public interface ReliableConsumer extends AutoCloseable {

  /**
   * Starts consuming with a synchronous handler.
   *
   * @param config the configuration
   * @param handler the business code
   * @return the started consumer
   * @throws io.reliablemq.ReliableMQException when the client cannot start for a reason other than
   *     an unreachable broker (then the consumer is returned {@link ConsumerState#WAITING})
   */
  static ReliableConsumer start(ReliableConsumerConfig config, MessageHandler handler) {
    return ReliableConsumerImpl.sync(config, handler);
  }

  /**
   * Starts consuming with a handler that completes later; the ack waits for its stage.
   *
   * @param config the configuration
   * @param handler the business code
   * @return the started consumer
   * @throws io.reliablemq.ReliableMQException when the client cannot start for a reason other than
   *     an unreachable broker (then the consumer is returned {@link ConsumerState#WAITING})
   */
  static ReliableConsumer startAsync(ReliableConsumerConfig config, AsyncMessageHandler handler) {
    return ReliableConsumerImpl.async(config, handler);
  }

  /**
   * Starts consuming in the transactional mode: for each message the consumer opens a transaction
   * on {@code dataSource}, runs the handler in it, writes the CONSUMED mark in it and commits.
   * Requires dedup on, over a store whose table is in that database, and FAIL_CLOSED.
   *
   * @param config the configuration; dedup must be enabled
   * @param dataSource the business database, which also holds the dedup table
   * @param handler the business code
   * @return the started consumer
   * @throws IllegalArgumentException when dedup is off or FAIL_OPEN is set
   * @throws io.reliablemq.ReliableMQException when the client cannot start for a reason other than
   *     an unreachable broker (then the consumer is returned {@link ConsumerState#WAITING})
   */
  static ReliableConsumer startTransactional(
      ReliableConsumerConfig config, DataSource dataSource, TransactionalMessageHandler handler) {
    return ReliableConsumerImpl.transactional(config, dataSource, handler);
  }

  /**
   * The consumer group.
   *
   * @return the group
   */
  String consumerGroup();

  /**
   * Whether the consumer receives, still waits for the broker it could not reach at start, or is
   * closed.
   *
   * @return the state; never null
   */
  ConsumerState state();

  /**
   * Counts since start.
   *
   * @return the stats
   */
  ConsumerStats stats();

  /**
   * Stops receiving (or the background attempts to connect, waiting at most 10 s for one in
   * progress), waits (bounded) for the client to close, and stops lease extension. Handlers still
   * running when the client gives up are not acknowledged and will be redelivered. The dedup store
   * is not closed: its owner closes it.
   */
  @Override
  void close();
}
