package io.reliablemq.fallback;

import io.reliablemq.ReliableMQException;

/**
 * The fallback store could not do what was asked (I/O error, locked or corrupt file, database
 * down). For an append it means the message was <em>not</em> stored, with one exception its message
 * names: "outcome of the append unknown", when the store was closed (its close bound ran out) while
 * the commit holding the append still ran. Such an entry may be stored and replayed later: a
 * duplicate at worst, never a loss.
 */
public class FallbackStoreException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param cause the underlying error
   */
  public FallbackStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
