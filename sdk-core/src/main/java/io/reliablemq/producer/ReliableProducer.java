package io.reliablemq.producer;

import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.internal.ReliableProducerImpl;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Sends messages to RocketMQ 5 without losing them.
 *
 * <p>{@link #send} validates the message before any I/O, gives it one logical id, and retries
 * retryable failures with backoff and jitter inside one total deadline ({@link SendRetryConfig}).
 * It returns {@link SendStatus#SENT} when the broker acknowledged the message and, with a fallback
 * store configured, {@link SendStatus#STORED} when the broker could not be reached and the message
 * was committed locally for replay. Otherwise it throws: {@link
 * io.reliablemq.InvalidMessageException} for bad input (nothing sent or stored), {@link
 * SendFailedException} for a non-retryable broker answer (or an outage without a store), {@link
 * io.reliablemq.fallback.FallbackStoreFullException} when the store is full.
 *
 * <p>A producer can be created while the broker is down. It is thread-safe; create one per
 * application and {@link #close()} it on shutdown.
 */
public interface ReliableProducer extends AutoCloseable {

  /**
   * Creates a producer over the official RocketMQ 5 gRPC client. With a fallback store and replay
   * enabled it also starts the replayer.
   *
   * @param config the configuration
   * @return a started producer
   */
  static ReliableProducer create(ReliableProducerConfig config) {
    return ReliableProducerImpl.create(config);
  }

  /**
   * Sends a message and waits for the outcome.
   *
   * @param message the message
   * @return SENT or STORED
   * @throws io.reliablemq.InvalidMessageException when a field breaks a limit (before any I/O)
   * @throws SendFailedException when the broker rejected it, or retries ran out with no store
   * @throws io.reliablemq.fallback.FallbackStoreFullException when the store is full
   * @throws IllegalStateException when the producer is closed
   */
  SendOutcome send(ReliableMessage message);

  /**
   * Sends a message without blocking the caller; the same guarantees as {@link #send}. Bad input is
   * rejected at once by throwing, before any I/O; every other failure completes the future
   * exceptionally.
   *
   * <p>With a fallback store, the send is accepted only with room for it reserved in the store
   * (given back once it is SENT), so that it can always end STORED and the bodies of pending sends
   * never exceed the store's byte capacity: when the store has no room, the future fails at once
   * with {@link io.reliablemq.fallback.FallbackStoreFullException}, even if the broker would have
   * taken the message.
   *
   * @param message the message
   * @return the outcome, SENT or STORED
   * @throws io.reliablemq.InvalidMessageException when a field breaks a limit
   * @throws IllegalStateException when the producer is closed
   */
  CompletableFuture<SendOutcome> sendAsync(ReliableMessage message);

  /**
   * Operations on the fallback store and its replayer.
   *
   * @return the operations, when a fallback store is configured
   */
  Optional<FallbackOperations> fallback();

  /**
   * Whether the circuit in front of the broker is letting sends through.
   *
   * @return the state: CLOSED, OPEN, HALF_OPEN or DISABLED (no circuit configured)
   */
  CircuitState circuitState();

  /**
   * Closes gracefully. Sends from now on throw {@link IllegalStateException}. Every send in flight,
   * synchronous or asynchronous, ends SENT or STORED before this returns (or with the exception it
   * would have had anyway, e.g. a full store): a send waiting on a retry backoff is stored at once,
   * an attempt the broker has not answered gets until {@link
   * ReliableProducerConfig#closeDrainTime()} and is then stored without the answer (without a store
   * it fails with {@link SendFailedException}). Then the replayer is stopped and the client closed.
   * The fallback store is not closed: its owner closes it, after this.
   */
  @Override
  void close();
}
