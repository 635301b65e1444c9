package io.reliablemq.transaction;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A transactional message whose half message the broker holds, waiting for a local transaction the
 * caller owns: the two-phase form of {@link TransactionalSender#send(io.reliablemq.message
 * .ReliableMessage, LocalTransaction)}, for frameworks whose transaction is already open and
 * commits later (a Spring {@code @Transactional} method). Obtained from {@link
 * TransactionalSender#prepare}.
 *
 * <p>Protocol: {@link #writeLog(Connection)} inside the caller's transaction, before or with the
 * business work; then, after that transaction ended, exactly one of {@link #commit()} (it
 * committed) or {@link #rollback()} (it rolled back, or the log row was never written). If the
 * process dies in between, the broker's check-back decides from the log: the committed row means
 * COMMIT; no row once the message is older than the grace period means ROLLBACK. A caller's
 * transaction still open after the grace period is not rolled back under it (the check-back's
 * marker waits on the uncommitted row), but one that had not yet written the row loses the race and
 * fails in {@link #writeLog}.
 *
 * <p>Not thread-safe: one caller drives it from prepare to commit or rollback.
 */
public interface PreparedTransaction {

  /**
   * The topic.
   *
   * @return the topic
   */
  String topic();

  /**
   * The logical id ({@code reliablemq_id}), the key of the log row.
   *
   * @return the id
   */
  String reliableId();

  /**
   * The broker's id of the half message.
   *
   * @return the id
   */
  String messageId();

  /**
   * Inserts the log row (status COMMITTED) through the caller's connection, so that it commits or
   * vanishes with the caller's transaction. Call once, with auto-commit off.
   *
   * @param connection the connection of the caller's open transaction
   * @throws LocalTransactionException when the check-back already rolled the message back (a
   *     ROLLED_BACK marker holds the key): the caller's transaction must roll back
   * @throws SQLException when the insert fails otherwise
   * @throws IllegalStateException when the row was written already or the message is decided
   */
  void writeLog(Connection connection) throws SQLException;

  /**
   * Commits the message; call only after the caller's transaction committed.
   *
   * @return COMMITTED, or COMMIT_UNCONFIRMED when the broker did not acknowledge (the check-back
   *     then commits it from the log row: delivered late, not lost)
   * @throws IllegalStateException when the log row was never written (without it the check-back
   *     would roll the message back), or the message is decided already
   */
  TransactionStatus commit();

  /**
   * Rolls the message back; call when the caller's transaction rolled back or never wrote the log
   * row. Never throws for the broker: an unacknowledged rollback is finished by the check-back.
   *
   * @throws IllegalStateException when the message is decided already
   */
  void rollback();
}
