package io.reliablemq;

/**
 * A message was rejected before any I/O because one of its fields breaks a limit. Nothing was sent
 * and nothing was stored. {@link #field()} names the field and {@link #limit()} the rule it broke,
 * so callers and logs can tell exactly what to fix.
 */
public class InvalidMessageException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String limit;

  /**
   * Creates the exception.
   *
   * @param field the message field at fault, e.g. {@code body} or {@code properties}
   * @param limit the rule it broke, e.g. {@code <= 4194304 bytes}
   * @param detail what was found, never the body or a property value
   */
  public InvalidMessageException(String field, String limit, String detail) {
    super("Invalid message: " + field + " must be " + limit + " (" + detail + ")");
    this.field = field;
    this.limit = limit;
  }

  /**
   * The field at fault.
   *
   * @return the field name as used by {@code ReliableMessage.Builder}
   */
  public String field() {
    return field;
  }

  /**
   * The rule the field broke.
   *
   * @return a short human-readable rule such as {@code <= 64 characters}
   */
  public String limit() {
    return limit;
  }
}
