package io.reliablemq.producer;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a {@code send} that returned: the status, the logical id ({@code reliablemq_id}),
 * the broker's message id when the broker acknowledged it, the attempts made and the time taken.
 */
public final class SendOutcome {
  private final SendStatus status;
  private final String topic;
  private final String reliableId;
  private final String messageId;
  private final int attempts;
  private final Duration elapsed;

  /**
   * Creates an outcome.
   *
   * @param status how the send ended
   * @param topic the destination topic
   * @param reliableId the logical id
   * @param messageId the broker message id, or null when not sent
   * @param attempts attempts made against the broker
   * @param elapsed wall time of the whole send
   */
  public SendOutcome(
      SendStatus status,
      String topic,
      String reliableId,
      String messageId,
      int attempts,
      Duration elapsed) {
    this.status = Objects.requireNonNull(status, "status");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.reliableId = Objects.requireNonNull(reliableId, "reliableId");
    this.messageId = messageId;
    this.attempts = attempts;
    this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
  }

  /**
   * How the send ended.
   *
   * @return the status
   */
  public SendStatus status() {
    return status;
  }

  /**
   * The destination topic.
   *
   * @return the topic
   */
  public String topic() {
    return topic;
  }

  /**
   * The logical id, the same across every retry and replay; consumers dedup by it.
   *
   * @return the {@code reliablemq_id}
   */
  public String reliableId() {
    return reliableId;
  }

  /**
   * The broker's message id.
   *
   * @return the id when {@link SendStatus#SENT}, else empty
   */
  public Optional<String> messageId() {
    return Optional.ofNullable(messageId);
  }

  /**
   * Attempts made against the broker (1 when the first one succeeded).
   *
   * @return the count
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Wall time of the whole send, validation to outcome.
   *
   * @return the duration
   */
  public Duration elapsed() {
    return elapsed;
  }

  @Override
  public String toString() {
    return "SendOutcome{status="
        + status
        + ", topic="
        + topic
        + ", reliableId="
        + reliableId
        + ", messageId="
        + messageId
        + ", attempts="
        + attempts
        + ", elapsed="
        + elapsed
        + '}';
  }
}
