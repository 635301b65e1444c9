package io.reliablemq.dedup;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link DedupStore#claim}.
 *
 * @param status what happened
 * @param holder for {@link Status#HELD_BY_OTHER}: the live owner
 * @param until for {@link Status#HELD_BY_OTHER}: its lease end; for {@link
 *     Status#ALREADY_CONSUMED}: when the record expires
 */
public record ClaimResult(Status status, Optional<String> holder, Optional<Instant> until) {
  /** What a claim found and did. */
  public enum Status {
    /** The key was absent (or its CONSUMED record had expired): the caller now owns it. */
    ACQUIRED,
    /** Another owner's lease had expired (it crashed or stalled): the caller took it over. */
    TAKEN_OVER,
    /** The caller already held the key; its lease was renewed. */
    REENTERED,
    /** The key is CONSUMED and not expired: acknowledge without running the handler. */
    ALREADY_CONSUMED,
    /** Another owner holds a live lease: fail the delivery so it comes back later. */
    HELD_BY_OTHER
  }

  /** Checks the fields. */
  public ClaimResult {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(until, "until");
  }

  /**
   * A claim that made the caller the owner.
   *
   * @param status ACQUIRED, TAKEN_OVER or REENTERED
   * @return the result
   */
  public static ClaimResult owned(Status status) {
    return new ClaimResult(status, Optional.empty(), Optional.empty());
  }

  /**
   * A key already consumed.
   *
   * @param expiresAt when the record expires
   * @return the result
   */
  public static ClaimResult consumed(Instant expiresAt) {
    return new ClaimResult(Status.ALREADY_CONSUMED, Optional.empty(), Optional.of(expiresAt));
  }

  /**
   * A key held by another live owner.
   *
   * @param owner the holder
   * @param leaseUntil its lease end
   * @return the result
   */
  public static ClaimResult heldBy(String owner, Instant leaseUntil) {
    return new ClaimResult(Status.HELD_BY_OTHER, Optional.of(owner), Optional.of(leaseUntil));
  }

  /**
   * Whether the caller owns the key now and must run the handler.
   *
   * @return true for ACQUIRED, TAKEN_OVER and REENTERED
   */
  public boolean owned() {
    return status == Status.ACQUIRED || status == Status.TAKEN_OVER || status == Status.REENTERED;
  }
}
