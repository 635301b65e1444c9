package io.reliablemq.transaction;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a transactional send that did not throw.
 *
 * @param <T> the local transaction's result type
 */
public final class TransactionResult<T> {
  private final TransactionStatus status;
  private final String topic;
  private final String reliableId;
  private final String messageId;
  private final T value;

  /**
   * Creates a result.
   *
   * @param status how the send ended
   * @param topic the topic
   * @param reliableId the logical id
   * @param messageId the broker's message id, null when the message is only stored
   * @param value what the local transaction returned
   */
  public TransactionResult(
      TransactionStatus status, String topic, String reliableId, String messageId, T value) {
    this.status = Objects.requireNonNull(status, "status");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.reliableId = Objects.requireNonNull(reliableId, "reliableId");
    this.messageId = messageId;
    this.value = value;
  }

  /**
   * How the send ended.
   *
   * @return the status
   */
  public TransactionStatus status() {
    return status;
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
   * The logical id ({@code reliablemq_id}), also the key of the transaction-log row.
   *
   * @return the id
   */
  public String reliableId() {
    return reliableId;
  }

  /**
   * The broker's id of the half message.
   *
   * @return the id, empty in outbox mode
   */
  public Optional<String> messageId() {
    return Optional.ofNullable(messageId);
  }

  /**
   * What the local transaction returned.
   *
   * @return the value, may be null
   */
  public T value() {
    return value;
  }

  @Override
  public String toString() {
    return "TransactionResult{status="
        + status
        + ", topic="
        + topic
        + ", reliableId="
        + reliableId
        + ", messageId="
        + messageId
        + "}";
  }
}
