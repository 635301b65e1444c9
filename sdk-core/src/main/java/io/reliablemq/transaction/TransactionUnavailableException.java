package io.reliablemq.transaction;

import io.reliablemq.ReliableMQException;
import java.time.Duration;

/**
 * The half message could not be sent (the broker was unreachable through every retry), so the local
 * transaction did not run: nothing happened locally and nothing will be delivered. Retrying the
 * whole call later is safe.
 */
public class TransactionUnavailableException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String reliableId;
  private final int attempts;
  private final Duration elapsed;
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param topic the topic
   * @param reliableId the logical id the message would have had
   * @param attempts attempts made to send the half message
   * @param cause the last error
   */
  public TransactionUnavailableException(
      String topic, String reliableId, int attempts, Throwable cause) {
    this(topic, reliableId, attempts, Duration.ZERO, "attempts exhausted", cause);
  }

  /**
   * Creates the exception.
   *
   * @param topic the topic
   * @param reliableId the logical id the message would have had
   * @param attempts attempts made to send the half message
   * @param elapsed time spent on them
   * @param reason why retrying stopped (attempts exhausted, total deadline reached, circuit open)
   * @param cause the last error, null when no attempt was made (circuit open)
   */
  public TransactionUnavailableException(
      String topic,
      String reliableId,
      int attempts,
      Duration elapsed,
      String reason,
      Throwable cause) {
    super(
        "Transactional send to topic '"
            + topic
            + "' unavailable: the half message could not be sent after "
            + attempts
            + " attempt(s) in "
            + elapsed.toMillis()
            + " ms ("
            + reason
            + (cause == null ? "" : ", last error " + cause.getClass().getSimpleName())
            + "); the local transaction did not run, reliablemq_id="
            + reliableId,
        cause);
    this.topic = topic;
    this.reliableId = reliableId;
    this.attempts = attempts;
    this.elapsed = elapsed;
    this.reason = reason;
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
   * The logical id the message would have had.
   *
   * @return the id
   */
  public String reliableId() {
    return reliableId;
  }

  /**
   * Attempts made to send the half message.
   *
   * @return the count
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Time spent on the attempts.
   *
   * @return the duration
   */
  public Duration elapsed() {
    return elapsed;
  }

  /**
   * Why retrying stopped: attempts exhausted, total deadline reached, circuit open, or the producer
   * closing.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }
}
