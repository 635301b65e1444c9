package io.reliablemq.producer;

/** What an error from the RocketMQ client means for retrying; see {@link ExceptionClassifier}. */
public enum ErrorKind {
  /** Transient and the message was certainly not stored (connection refused, throttled). */
  RETRYABLE,
  /**
   * Transient but the outcome is unknown: the request timed out, so the broker may have stored the
   * message. Retrying is right only because consumers dedup by {@code reliablemq_id}.
   */
  AMBIGUOUS,
  /** The broker or client rejected the request itself; the same request would fail again. */
  NON_RETRYABLE
}
