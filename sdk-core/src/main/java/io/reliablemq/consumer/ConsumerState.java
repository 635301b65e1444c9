package io.reliablemq.consumer;

/** Where a {@link ReliableConsumer} is in its life; see {@link ReliableConsumer#state()}. */
public enum ConsumerState {
  /**
   * The broker was unreachable when the consumer was created: the client is started again in the
   * background, with backoff, until it connects. Nothing is received yet; nothing is lost either,
   * the messages wait on the broker.
   */
  WAITING,
  /** The client is started and messages are delivered to the handler. */
  RUNNING,
  /** {@link ReliableConsumer#close()} was called. */
  CLOSED
}
