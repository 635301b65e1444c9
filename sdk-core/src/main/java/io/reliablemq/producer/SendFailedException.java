package io.reliablemq.producer;

import io.reliablemq.ReliableMQException;
import java.time.Duration;

/**
 * A send that did not reach the broker: either the broker gave a non-retryable answer (bad request,
 * forbidden, topic missing, ...) or retries ran out (attempts or the total deadline) on retryable
 * errors. The last client exception is the cause.
 *
 * <p>When {@link #kind()} is {@link ErrorKind#AMBIGUOUS} the last attempt timed out: the broker may
 * have stored the message anyway. Re-sending the same message is safe because consumers dedup by
 * {@link #reliableId()}.
 */
public class SendFailedException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String reliableId;
  private final int attempts;
  private final Duration elapsed;
  private final ErrorKind kind;
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param topic the destination topic
   * @param reliableId the logical id of the message
   * @param attempts attempts made
   * @param elapsed wall time spent
   * @param kind the classification of the last error
   * @param reason why retrying stopped
   * @param cause the last error
   */
  public SendFailedException(
      String topic,
      String reliableId,
      int attempts,
      Duration elapsed,
      ErrorKind kind,
      String reason,
      Throwable cause) {
    super(
        "Send to topic '"
            + topic
            + "' failed after "
            + attempts
            + " attempt(s) in "
            + elapsed.toMillis()
            + " ms ("
            + reason
            + ", last error "
            + kind
            + ": "
            + describe(cause)
            + "), reliablemq_id="
            + reliableId,
        cause);
    this.topic = topic;
    this.reliableId = reliableId;
    this.attempts = attempts;
    this.elapsed = elapsed;
    this.kind = kind;
    this.reason = reason;
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "none";
    }
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : " " + cause.getMessage());
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
   * The logical id of the message that failed.
   *
   * @return the {@code reliablemq_id}
   */
  public String reliableId() {
    return reliableId;
  }

  /**
   * Attempts made against the broker.
   *
   * @return the count
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Wall time spent before giving up.
   *
   * @return the duration
   */
  public Duration elapsed() {
    return elapsed;
  }

  /**
   * Classification of the last error.
   *
   * @return the kind
   */
  public ErrorKind kind() {
    return kind;
  }

  /**
   * Why retrying stopped (e.g. "attempts exhausted", "total deadline reached", "circuit open").
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }

  /**
   * Whether sending the same message again later may succeed (the last error was retryable).
   *
   * @return true unless the broker answered with a non-retryable error
   */
  public boolean retryable() {
    return kind != ErrorKind.NON_RETRYABLE;
  }
}
