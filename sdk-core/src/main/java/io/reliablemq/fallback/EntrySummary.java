package io.reliablemq.fallback;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What operators see of a fallback store entry: everything but the body and the property values,
 * which may hold personal data and never leave the store through an operations interface.
 */
public final class EntrySummary {
  private final long sequence;
  private final String id;
  private final String topic;
  private final String tag;
  private final String messageGroup;
  private final Instant deliveryTime;
  private final boolean transactional;
  private final int bodyBytes;
  private final Instant storedAt;
  private final int attempts;
  private final String lastError;
  private final EntryState state;

  private EntrySummary(StoredEntry e) {
    this.sequence = e.sequence();
    this.id = e.id();
    this.topic = e.message().topic();
    this.tag = e.message().tag().orElse(null);
    this.messageGroup = e.message().messageGroup().orElse(null);
    this.deliveryTime = e.message().deliveryTime().orElse(null);
    this.transactional = e.transactional();
    this.bodyBytes = e.message().bodyLength();
    this.storedAt = e.storedAt();
    this.attempts = e.attempts();
    this.lastError = e.lastError().orElse(null);
    this.state = e.state();
  }

  /**
   * The summary of an entry.
   *
   * @param entry the entry
   * @return its summary
   */
  public static EntrySummary of(StoredEntry entry) {
    return new EntrySummary(Objects.requireNonNull(entry, "entry"));
  }

  /**
   * The store's append order.
   *
   * @return the sequence number
   */
  public long sequence() {
    return sequence;
  }

  /**
   * The logical id.
   *
   * @return the {@code reliablemq_id}
   */
  public String id() {
    return id;
  }

  /**
   * The destination topic.
   *
   * @return the topic
   */
  public String topic() {
    return topic;
  }

  /**
   * The tag.
   *
   * @return the tag, if any
   */
  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  /**
   * The FIFO message group.
   *
   * @return the group, if any
   */
  public Optional<String> messageGroup() {
    return Optional.ofNullable(messageGroup);
  }

  /**
   * The absolute delivery time of a delay message.
   *
   * @return the time, if any
   */
  public Optional<Instant> deliveryTime() {
    return Optional.ofNullable(deliveryTime);
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
   * The body size.
   *
   * @return bytes
   */
  public int bodyBytes() {
    return bodyBytes;
  }

  /**
   * When it was stored.
   *
   * @return the instant
   */
  public Instant storedAt() {
    return storedAt;
  }

  /**
   * Failed replay rounds so far.
   *
   * @return the count
   */
  public int attempts() {
    return attempts;
  }

  /**
   * The last replay error.
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
    return "EntrySummary{sequence="
        + sequence
        + ", id="
        + id
        + ", topic="
        + topic
        + ", group="
        + messageGroup
        + ", state="
        + state
        + ", attempts="
        + attempts
        + ", storedAt="
        + storedAt
        + ", bodyBytes="
        + bodyBytes
        + ", lastError="
        + lastError
        + '}';
  }
}
