package io.reliablemq.fallback;

import io.reliablemq.message.ReliableMessage;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One message held by a {@link FallbackStore}: the validated message (id assigned, delivery time
 * absolute) plus the store's bookkeeping.
 */
public final class StoredEntry {
  private final long sequence;
  private final ReliableMessage message;
  private final boolean transactional;
  private final Instant storedAt;
  private final int attempts;
  private final String lastError;
  private final EntryState state;

  /**
   * Creates an entry.
   *
   * @param sequence the store's append order, increasing
   * @param message the message, with its {@code reliablemq_id} set
   * @param transactional whether it must be replayed as begin + send + commit
   * @param storedAt when it was appended
   * @param attempts replay attempts so far
   * @param lastError the last replay error, or null
   * @param state the state
   */
  public StoredEntry(
      long sequence,
      ReliableMessage message,
      boolean transactional,
      Instant storedAt,
      int attempts,
      String lastError,
      EntryState state) {
    this.sequence = sequence;
    this.message = Objects.requireNonNull(message, "message");
    this.transactional = transactional;
    this.storedAt = Objects.requireNonNull(storedAt, "storedAt");
    this.attempts = attempts;
    this.lastError = lastError;
    this.state = Objects.requireNonNull(state, "state");
  }

  /**
   * The append order.
   *
   * @return the sequence number
   */
  public long sequence() {
    return sequence;
  }

  /**
   * The message.
   *
   * @return the message, id set
   */
  public ReliableMessage message() {
    return message;
  }

  /**
   * The logical id.
   *
   * @return the {@code reliablemq_id}
   */
  public String id() {
    return message.id().orElseThrow();
  }

  /**
   * Whether it is replayed as a transactional message.
   *
   * @return true for a TRANSACTION topic
   */
  public boolean transactional() {
    return transactional;
  }

  /**
   * When it was appended.
   *
   * @return the instant
   */
  public Instant storedAt() {
    return storedAt;
  }

  /**
   * Replay attempts so far.
   *
   * @return the count
   */
  public int attempts() {
    return attempts;
  }

  /**
   * The last replay error (class and message, never the body).
   *
   * @return the error, if any
   */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /**
   * The state.
   *
   * @return PENDING or PARKED
   */
  public EntryState state() {
    return state;
  }

  @Override
  public String toString() {
    return "StoredEntry{sequence="
        + sequence
        + ", id="
        + id()
        + ", topic="
        + message.topic()
        + ", state="
        + state
        + ", attempts="
        + attempts
        + ", storedAt="
        + storedAt
        + '}';
  }
}
