package io.reliablemq.dedup;

import io.reliablemq.ReliableMQException;

/**
 * The dedup store could not answer (database down, file locked, I/O error). The consumer treats it
 * as FAILURE (the message comes back later) unless fail-open was chosen explicitly.
 */
public class DedupStoreException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param cause the underlying error, or null
   */
  public DedupStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
