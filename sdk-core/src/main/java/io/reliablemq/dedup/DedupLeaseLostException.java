package io.reliablemq.dedup;

/**
 * A transactional CONSUMED mark found that the caller no longer owns the key (its lease expired and
 * another owner took it over, or the record is gone). Thrown inside the business transaction so
 * that it rolls back: the other owner's processing is the one that counts.
 */
public class DedupLeaseLostException extends DedupStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param key the key whose lease was lost
   * @param owner the caller
   */
  public DedupLeaseLostException(DedupKey key, String owner) {
    super("Dedup lease lost: " + key + " is no longer PROCESSING by " + owner, null);
  }
}
