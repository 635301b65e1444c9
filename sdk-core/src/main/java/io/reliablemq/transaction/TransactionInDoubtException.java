package io.reliablemq.transaction;

import io.reliablemq.ReliableMQException;
import java.util.Optional;

/**
 * The business work returned but the local commit threw (e.g. the connection was lost during {@code
 * commit()}), and the transaction-log row could not be seen afterwards: whether the database
 * committed is unknown, so the SDK neither commits nor rolls back the message. The outcome is
 * decided later from the log row, never guessed: with a half message at the broker ({@link
 * #messageId()} present), the broker's check-back commits it if the row exists and rolls it back
 * after the grace period otherwise; in outbox mode the message row committed (or not) with the
 * business effect, and the replayer delivers it if it did. Either way the message is delivered if
 * and only if the local transaction committed.
 *
 * <p>The caller should treat the business effect as unknown too (as after any failed {@code
 * commit()}) and find out from its database before retrying; the cause is the runner's exception.
 */
public class TransactionInDoubtException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String reliableId;
  private final String messageId;

  /**
   * Creates the exception.
   *
   * @param topic the topic
   * @param reliableId the logical id, also the key of the log row
   * @param messageId the broker's id of the half message, null in outbox mode
   * @param cause what the local transaction runner threw after the work returned
   */
  public TransactionInDoubtException(
      String topic, String reliableId, String messageId, Throwable cause) {
    super(
        "Local commit of the transactional send to topic '"
            + topic
            + "' failed with an unknown outcome"
            + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")")
            + (messageId == null
                ? "; the outbox row commits with the business effect or not at all, and the"
                    + " replayer delivers it if it committed"
                : "; the message is left to the broker's check-back, which commits it if the"
                    + " transaction log row exists and rolls it back after the grace period"
                    + " otherwise")
            + ", reliablemq_id="
            + reliableId,
        cause);
    this.topic = topic;
    this.reliableId = reliableId;
    this.messageId = messageId;
  }

  /**
   * The topic.
   *
   * @return the topic
   */
  public String topic() {
    return topic;
  }

  /**
   * The logical id, also the key of the transaction-log row that decides the outcome.
   *
   * @return the id
   */
  public String reliableId() {
    return reliableId;
  }

  /**
   * The broker's id of the half message waiting for its check-back.
   *
   * @return the id, empty in outbox mode (no half message was sent)
   */
  public Optional<String> messageId() {
    return Optional.ofNullable(messageId);
  }
}
