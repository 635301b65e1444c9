package io.reliablemq.transaction;

/** How a transactional send ended, when it did not throw. */
public enum TransactionStatus {
  /** The local transaction committed and the broker acknowledged the commit of the message. */
  COMMITTED,
  /**
   * The local transaction committed but the commit of the message was not acknowledged: the broker
   * will check back, and the transaction log answers COMMIT. The message is delivered late, not
   * lost.
   */
  COMMIT_UNCONFIRMED,
  /**
   * Outbox mode: the broker was unreachable, so the message was inserted into the fallback store in
   * the same local transaction as the business effect; the replayer delivers it later.
   */
  STORED,
  /** A decision branch answered ROLLBACK: the message was dropped. */
  ROLLED_BACK,
  /** A decision branch answered UNKNOWN: the broker's check-back decides. */
  UNKNOWN
}
