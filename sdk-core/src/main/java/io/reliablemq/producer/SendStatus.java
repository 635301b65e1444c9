package io.reliablemq.producer;

/** How a {@code send} ended when it returned normally. */
public enum SendStatus {
  /** The broker acknowledged the message; its broker message id is known. */
  SENT,
  /**
   * The broker could not be reached (retries exhausted on retryable errors, or the circuit is open,
   * or the message's FIFO group already waits in the store). The message is committed in the local
   * fallback store and the replayer will deliver it, in order within its message group.
   */
  STORED
}
