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
  /**
   * The local work joined a transaction the caller owns and that is still open (e.g. an outer
   * Spring {@code @Transactional}; see {@link TransactionalSender#prepare}): the half message is
   * sent and the log row written in that transaction. The message is committed when the caller's
   * transaction commits and rolled back when it rolls back; if the process dies in between, the
   * check-back decides from the log row. Not final: consumers see the message only after the
   * commit.
   */
  PENDING,
  /** A decision branch answered ROLLBACK: the message was dropped. */
  ROLLED_BACK,
  /** A decision branch answered UNKNOWN: the broker's check-back decides. */
  UNKNOWN
}
