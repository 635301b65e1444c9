package io.reliablemq.fallback;

import io.reliablemq.ReliableMQException;

/**
 * The fallback store is at its capacity (rows or bytes) and the message was not stored. Nothing was
 * dropped: the caller still owns the message and must decide (fail the request, retry later).
 */
public class FallbackStoreFullException extends ReliableMQException {
  private static final long serialVersionUID = 1L;

  private final long rows;
  private final long bytes;
  private final long maxRows;
  private final long maxBytes;

  /**
   * Creates the exception.
   *
   * @param rows entries held now
   * @param bytes body bytes held now
   * @param maxRows the row limit
   * @param maxBytes the byte limit
   */
  public FallbackStoreFullException(long rows, long bytes, long maxRows, long maxBytes) {
    super(
        "Fallback store is full: "
            + rows
            + " of "
            + maxRows
            + " entries, "
            + bytes
            + " of "
            + maxBytes
            + " bytes; the message was not stored");
    this.rows = rows;
    this.bytes = bytes;
    this.maxRows = maxRows;
    this.maxBytes = maxBytes;
  }

  /**
   * Entries held when the append was refused.
   *
   * @return rows
   */
  public long rows() {
    return rows;
  }

  /**
   * Bytes held when the append was refused.
   *
   * @return bytes
   */
  public long bytes() {
    return bytes;
  }

  /**
   * The row limit.
   *
   * @return max rows
   */
  public long maxRows() {
    return maxRows;
  }

  /**
   * The byte limit.
   *
   * @return max bytes
   */
  public long maxBytes() {
    return maxBytes;
  }
}
