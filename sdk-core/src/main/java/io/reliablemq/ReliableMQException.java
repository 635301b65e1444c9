package io.reliablemq;

/**
 * The one unchecked base exception of ReliableMQ. Subclasses carry the fields a caller needs to act
 * on the failure; the original client exception, when there is one, is kept as the cause.
 */
public class ReliableMQException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong
   */
  public ReliableMQException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what went wrong
   * @param cause the original exception, usually from the RocketMQ client
   */
  public ReliableMQException(String message, Throwable cause) {
    super(message, cause);
  }
}
