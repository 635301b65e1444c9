package io.reliablemq.producer;

import io.reliablemq.producer.internal.ReliableProducerImpl;

/**
 * Sends messages to RocketMQ 5 without losing them silently.
 *
 * <p>{@link #send} validates the message before any I/O, assigns its logical id once, and retries
 * retryable failures with backoff and jitter inside one total deadline ({@link SendRetryConfig}).
 * It returns a {@link SendOutcome} when the broker acknowledged the message, and otherwise throws:
 * {@link io.reliablemq.InvalidMessageException} for bad input (nothing sent), {@link
 * SendFailedException} for a non-retryable broker answer or exhausted retries.
 *
 * <p>A producer can be created while the broker is down; it connects when it first sends. It is
 * thread-safe; create one per application and {@link #close()} it on shutdown.
 */
public interface ReliableProducer extends AutoCloseable {

  /**
   * Creates a producer over the official RocketMQ 5 gRPC client.
   *
   * @param config the configuration
   * @return a started producer
   */
  static ReliableProducer create(ReliableProducerConfig config) {
    return ReliableProducerImpl.create(config);
  }

  /**
   * Sends a message and waits for the broker's acknowledgement.
   *
   * @param message the message
   * @return the outcome
   * @throws io.reliablemq.InvalidMessageException when a field breaks a limit (before any I/O)
   * @throws SendFailedException when the broker rejected it or retries ran out
   * @throws IllegalStateException when the producer is closed
   */
  SendOutcome send(io.reliablemq.message.ReliableMessage message);

  /** Closes the underlying client; sends after this throw {@link IllegalStateException}. */
  @Override
  void close();
}
