package io.reliablemq.dedup;

import java.sql.Connection;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the consumer keeps the truth about which messages were processed: one record per {@link
 * DedupKey}, in state {@link DedupState#PROCESSING} (owner, lease until) or {@link
 * DedupState#CONSUMED} (expires at). Implementations must make every transition atomic against
 * concurrent callers in this process and, for a shared database, in other processes: two owners
 * never both get an owning {@link ClaimResult} for one key while a lease is live.
 *
 * <p>Time is passed in by the caller ({@code now}, lease and expiry instants), so a store holds no
 * clock and every instance compares against the same kind of value. With a database shared by
 * several hosts, their clocks' skew must be small against the lease duration.
 *
 * <p>Every method may throw {@link DedupStoreException} when the store cannot be reached.
 */
public interface DedupStore extends AutoCloseable {

  /**
   * Claims a key for processing. Absent, or CONSUMED but expired at {@code now}: becomes PROCESSING
   * by {@code owner} ({@link ClaimResult.Status#ACQUIRED}). PROCESSING by {@code owner}: lease
   * renewed ({@link ClaimResult.Status#REENTERED}). PROCESSING by another owner whose lease ended
   * at or before {@code now}: taken over ({@link ClaimResult.Status#TAKEN_OVER}). PROCESSING by
   * another live owner: {@link ClaimResult.Status#HELD_BY_OTHER}. CONSUMED and not expired: {@link
   * ClaimResult.Status#ALREADY_CONSUMED}.
   *
   * @param key the key
   * @param owner the caller's owner id (unique per consumer instance)
   * @param now the caller's current time
   * @param leaseUntil when the caller's lease ends unless extended
   * @return what happened
   */
  ClaimResult claim(DedupKey key, String owner, Instant now, Instant leaseUntil);

  /**
   * Extends the caller's lease on a PROCESSING key.
   *
   * @param key the key
   * @param owner the caller
   * @param leaseUntil the new lease end
   * @return false when the caller no longer owns the key (taken over or released)
   */
  boolean extendLease(DedupKey key, String owner, Instant leaseUntil);

  /**
   * Marks a key CONSUMED in its own transaction (the non-transactional mode). When the caller no
   * longer owns a PROCESSING record but the key is absent, a CONSUMED record is created anyway: the
   * handler did run, and suppressing later duplicates is the point.
   *
   * @param key the key
   * @param owner the caller
   * @param expiresAt when the record stops suppressing duplicates
   * @return true when the record is now CONSUMED by the caller; false when another owner holds or
   *     consumed it (the caller's lease was lost while its handler ran)
   */
  boolean markConsumed(DedupKey key, String owner, Instant expiresAt);

  /**
   * Marks a key CONSUMED through the caller's connection, inside the caller's open transaction, so
   * that the mark commits or rolls back with the business effect (the transactional mode). The
   * store's table must live in that connection's database. Does not commit.
   *
   * @param connection the business connection, auto-commit off
   * @param key the key
   * @param owner the caller, which must still own the PROCESSING record
   * @param expiresAt when the record stops suppressing duplicates
   * @throws DedupLeaseLostException when the caller no longer owns the key: roll back
   * @throws DedupStoreException when the statement fails
   * @throws UnsupportedOperationException when the store is not a database the caller can share
   */
  default void markConsumed(Connection connection, DedupKey key, String owner, Instant expiresAt) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " cannot write a mark inside a caller's transaction");
  }

  /**
   * Deletes the caller's PROCESSING record after its handler failed, so a redelivery is processed.
   *
   * @param key the key
   * @param owner the caller
   * @return false when the caller did not own it (nothing changed)
   */
  boolean release(DedupKey key, String owner);

  /**
   * Reads one record.
   *
   * @param key the key
   * @return the record, when present (expired records may still be present until purged)
   */
  Optional<DedupRecord> find(DedupKey key);

  /**
   * Deletes CONSUMED records expired at {@code now} and PROCESSING records whose lease ended at or
   * before {@code now} (an absent record and an expired one mean the same).
   *
   * @param now the caller's current time
   * @return how many records were deleted
   */
  int purgeExpired(Instant now);

  /** Releases the store's resources; the records stay. Idempotent. */
  @Override
  void close();
}
