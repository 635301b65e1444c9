package io.reliablemq.transaction;

import io.reliablemq.ReliableMQException;

/**
 * The local transaction rolled back, so the message was rolled back too: either the business work
 * threw a checked exception (the cause), or the broker's check-back had already rolled the message
 * back and written a ROLLED_BACK marker, which made the late local transaction fail on the log's
 * unique key ({@link #rolledBackByCheck()}). Unchecked exceptions of the business work are rethrown
 * as they are, not wrapped.
 */
public class LocalTransactionException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String reliableId;
  private final boolean rolledBackByCheck;

  /**
   * Creates the exception.
   *
   * @param topic the topic
   * @param reliableId the logical id
   * @param rolledBackByCheck whether a check-back had already rolled the message back
   * @param message what happened
   * @param cause the business's exception or the SQL error of the log insert
   */
  public LocalTransactionException(
      String topic, String reliableId, boolean rolledBackByCheck, String message, Throwable cause) {
    super(message + ", reliablemq_id=" + reliableId, cause);
    this.topic = topic;
    this.reliableId = reliableId;
    this.rolledBackByCheck = rolledBackByCheck;
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
   * The logical id.
   *
   * @return the id
   */
  public String reliableId() {
    return reliableId;
  }

  /**
   * Whether the broker's check-back had already rolled the message back (the local transaction came
   * too late, after the grace period).
   *
   * @return true for the late-commit race
   */
  public boolean rolledBackByCheck() {
    return rolledBackByCheck;
  }
}
