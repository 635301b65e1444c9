package io.reliablemq.producer;

/** What a check-back (or a decision branch) answers for a half message. */
public enum TransactionDecision {
  /** Deliver the message. */
  COMMIT,
  /** Drop the message. */
  ROLLBACK,
  /** Not known yet: the broker asks again later, up to its check limit, then drops the message. */
  UNKNOWN
}
