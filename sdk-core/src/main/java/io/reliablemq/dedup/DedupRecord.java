package io.reliablemq.dedup;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One present dedup record, as read back from a store.
 *
 * @param key the key
 * @param state PROCESSING or CONSUMED
 * @param owner the owner that claimed (and, if CONSUMED, marked) it
 * @param leaseUntil while PROCESSING: when the owner's lease ends
 * @param expiresAt while CONSUMED: when the record stops suppressing duplicates
 */
public record DedupRecord(
    DedupKey key,
    DedupState state,
    String owner,
    Optional<Instant> leaseUntil,
    Optional<Instant> expiresAt) {
  /** Checks the fields. */
  public DedupRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
