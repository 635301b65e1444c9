package io.reliablemq.message;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message to send: topic, body and the optional tag, keys, user properties, message group (FIFO)
 * and delivery time (delay). Immutable; the body is copied in and out.
 *
 * <p>The builder only collects values. Every limit (body size, property count, reserved keys, ...)
 * is checked by the producer before any I/O against its {@link MessageLimits}, and a broken limit
 * is an {@link io.reliablemq.InvalidMessageException} naming the field.
 *
 * <p>{@link #id()} is the logical id ({@value #ID_PROPERTY} property) that stays the same across
 * every retry, fallback and replay of this message. Leave it unset and the producer assigns a
 * time-ordered one; set it only to re-send a message that already has one (e.g. a relay).
 */
public final class ReliableMessage {
  /** The user property that carries the logical id through the broker to consumers. */
  public static final String ID_PROPERTY = "reliablemq_id";

  /**
   * The system property that carries, on a message with a message group, the {@value #ID_PROPERTY}
   * of the previous message of the same topic and group that the same producer accepted ({@code
   * SENT} or {@code STORED}). The producer sets it after validation; consumers with dedup hold a
   * FIFO message until its predecessor was processed (the order guard, see docs/guarantees.md).
   * Absent when the producer remembers no predecessor.
   */
  public static final String PREVIOUS_ID_PROPERTY = "reliablemq_prev";

  private final String topic;
  private final byte[] body;
  private final String tag;
  private final List<String> keys;
  private final Map<String, String> properties;
  private final String messageGroup;
  private final Instant deliveryTime;
  private final Duration deliveryDelay;
  private final String id;

  private ReliableMessage(Builder b) {
    this.topic = b.topic;
    this.body = b.body;
    this.tag = b.tag;
    this.keys = Collections.unmodifiableList(new ArrayList<>(b.keys));
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
    this.messageGroup = b.messageGroup;
    this.deliveryTime = b.deliveryTime;
    this.deliveryDelay = b.deliveryDelay;
    this.id = b.id;
  }

  /**
   * Starts a message for a topic.
   *
   * @param topic the destination topic
   * @return a builder
   */
  public static Builder builder(String topic) {
    return new Builder().topic(topic);
  }

  /**
   * A builder preloaded with this message's values, for a modified copy.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.topic = topic;
    b.body = body;
    b.tag = tag;
    b.keys.addAll(keys);
    b.properties.putAll(properties);
    b.messageGroup = messageGroup;
    b.deliveryTime = deliveryTime;
    b.deliveryDelay = deliveryDelay;
    b.id = id;
    return b;
  }

  /**
   * A copy of this message with the given logical id.
   *
   * @param id the logical id
   * @return the copy
   */
  public ReliableMessage withId(String id) {
    return toBuilder().id(id).build();
  }

  /**
   * The destination topic.
   *
   * @return the topic, as given
   */
  public String topic() {
    return topic;
  }

  /**
   * A copy of the body.
   *
   * @return the body bytes, or null if none was set
   */
  public byte[] body() {
    return body == null ? null : body.clone();
  }

  /**
   * The body length without copying it.
   *
   * @return the length in bytes, 0 when unset
   */
  public int bodyLength() {
    return body == null ? 0 : body.length;
  }

  /**
   * The tag used for server-side filtering.
   *
   * @return the tag, if any
   */
  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  /**
   * The message keys (indexed by the broker for lookup).
   *
   * @return an unmodifiable list, possibly empty
   */
  public List<String> keys() {
    return keys;
  }

  /**
   * The user properties, not including {@value #ID_PROPERTY}.
   *
   * @return an unmodifiable map in insertion order
   */
  public Map<String, String> properties() {
    return properties;
  }

  /**
   * The FIFO message group: messages of one group are delivered in send order.
   *
   * @return the group, if any
   */
  public Optional<String> messageGroup() {
    return Optional.ofNullable(messageGroup);
  }

  /**
   * The absolute delivery time of a delay message.
   *
   * @return the time, if set as an instant
   */
  public Optional<Instant> deliveryTime() {
    return Optional.ofNullable(deliveryTime);
  }

  /**
   * The delivery delay of a delay message, resolved to an absolute time by the producer when it
   * accepts the message, and kept absolute from then on (a replay does not restart the delay).
   *
   * @return the delay, if set as a duration
   */
  public Optional<Duration> deliveryDelay() {
    return Optional.ofNullable(deliveryDelay);
  }

  /**
   * The logical id.
   *
   * @return the id, if already assigned
   */
  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  @Override
  public String toString() {
    // Never the body or property values: they may hold personal data.
    return "ReliableMessage{topic="
        + topic
        + ", id="
        + id
        + ", tag="
        + tag
        + ", keys="
        + keys
        + ", messageGroup="
        + messageGroup
        + ", deliveryTime="
        + deliveryTime
        + ", deliveryDelay="
        + deliveryDelay
        + ", bodyLength="
        + bodyLength()
        + ", propertyKeys="
        + properties.keySet()
        + '}';
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ReliableMessage)) {
      return false;
    }
    ReliableMessage that = (ReliableMessage) o;
    return Objects.equals(topic, that.topic)
        && Arrays.equals(body, that.body)
        && Objects.equals(tag, that.tag)
        && keys.equals(that.keys)
        && properties.equals(that.properties)
        && Objects.equals(messageGroup, that.messageGroup)
        && Objects.equals(deliveryTime, that.deliveryTime)
        && Objects.equals(deliveryDelay, that.deliveryDelay)
        && Objects.equals(id, that.id);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, Arrays.hashCode(body), tag, keys, messageGroup, id);
  }

  /** Collects the values of a {@link ReliableMessage}; see the class comment on validation. */
  public static final class Builder {
    private String topic;
    private byte[] body;
    private String tag;
    private final List<String> keys = new ArrayList<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private String messageGroup;
    private Instant deliveryTime;
    private Duration deliveryDelay;
    private String id;

    private Builder() {}

    /**
     * Sets the topic.
     *
     * @param topic the destination topic
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /**
     * Sets the body (copied).
     *
     * @param body the payload, non-empty
     * @return this builder
     */
    public Builder body(byte[] body) {
      this.body = body == null ? null : body.clone();
      return this;
    }

    /**
     * Sets the body from text, encoded as UTF-8.
     *
     * @param body the payload text
     * @return this builder
     */
    public Builder body(String body) {
      this.body = body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return this;
    }

    /**
     * Sets the tag.
     *
     * @param tag the tag, without {@code |}
     * @return this builder
     */
    public Builder tag(String tag) {
      this.tag = tag;
      return this;
    }

    /**
     * Adds message keys.
     *
     * @param keys keys, none blank
     * @return this builder
     */
    public Builder keys(String... keys) {
      this.keys.addAll(Arrays.asList(keys));
      return this;
    }

    /**
     * Adds a user property.
     *
     * @param key the key, not a system-reserved one
     * @param value the value, not blank
     * @return this builder
     */
    public Builder property(String key, String value) {
      this.properties.put(key, value);
      return this;
    }

    /**
     * Adds user properties.
     *
     * @param properties the properties
     * @return this builder
     */
    public Builder properties(Map<String, String> properties) {
      this.properties.putAll(properties);
      return this;
    }

    /**
     * Sets the FIFO message group (for a FIFO topic).
     *
     * @param messageGroup the group, at most 64 characters by default
     * @return this builder
     */
    public Builder messageGroup(String messageGroup) {
      this.messageGroup = messageGroup;
      return this;
    }

    /**
     * Sets an absolute delivery time (for a DELAY topic). Clears any delay set before.
     *
     * @param deliveryTime when the message becomes visible to consumers
     * @return this builder
     */
    public Builder deliveryTime(Instant deliveryTime) {
      this.deliveryTime = deliveryTime;
      this.deliveryDelay = null;
      return this;
    }

    /**
     * Sets a delivery delay from the moment the producer accepts the message (for a DELAY topic).
     * Clears any delivery time set before.
     *
     * @param delay the delay, at most one day by default
     * @return this builder
     */
    public Builder deliveryDelay(Duration delay) {
      this.deliveryDelay = delay;
      this.deliveryTime = null;
      return this;
    }

    /**
     * Sets the logical id explicitly (only to re-send a message that already has one).
     *
     * @param id the logical id
     * @return this builder
     */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /**
     * Builds the message. No limit is checked here: see the class comment.
     *
     * @return the message
     */
    public ReliableMessage build() {
      return new ReliableMessage(this);
    }
  }
}
