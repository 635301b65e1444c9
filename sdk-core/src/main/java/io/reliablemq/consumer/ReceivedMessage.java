package io.reliablemq.consumer;

import io.reliablemq.message.ReliableMessage;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message as delivered to a handler: an immutable SDK view, free of the RocketMQ client's types.
 * {@link #toString()} names ids and counts only, never the body or property values, so it is safe
 * to log. Build one with {@link #builder} to unit-test a handler.
 */
public final class ReceivedMessage {
  private final String topic;
  private final byte[] body;
  private final String tag;
  private final List<String> keys;
  private final Map<String, String> properties;
  private final String messageId;
  private final int deliveryAttempt;
  private final String messageGroup;
  private final Instant bornAt;
  private final Instant deliveryTime;

  private ReceivedMessage(Builder b) {
    this.topic = b.topic;
    this.body = b.body;
    this.tag = b.tag;
    this.keys = List.copyOf(b.keys);
    this.properties = Map.copyOf(b.properties);
    this.messageId = b.messageId;
    this.deliveryAttempt = b.deliveryAttempt;
    this.messageGroup = b.messageGroup;
    this.bornAt = b.bornAt;
    this.deliveryTime = b.deliveryTime;
  }

  /**
   * Starts a builder.
   *
   * @param topic the topic
   * @param messageId the broker's message id
   * @return a builder
   */
  public static Builder builder(String topic, String messageId) {
    return new Builder(topic, messageId);
  }

  /**
   * The topic.
   *
   * @return the topic
   */
  public String topic() {
    return topic;
  }

  /**
   * The body.
   *
   * @return a copy of the body bytes
   */
  public byte[] body() {
    return body.clone();
  }

  /**
   * The body as UTF-8 text.
   *
   * @return the text
   */
  public String bodyAsString() {
    return new String(body, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * The tag.
   *
   * @return the tag, when set
   */
  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  /**
   * The message keys.
   *
   * @return the keys, possibly empty
   */
  public List<String> keys() {
    return keys;
  }

  /**
   * The user properties, including {@value ReliableMessage#ID_PROPERTY} when a ReliableMQ producer
   * sent it.
   *
   * @return the properties
   */
  public Map<String, String> properties() {
    return properties;
  }

  /**
   * The logical id the ReliableMQ producer gave the message: the same across every retry, replay
   * and redelivery.
   *
   * @return the {@value ReliableMessage#ID_PROPERTY} property, when present
   */
  public Optional<String> reliableId() {
    return Optional.ofNullable(properties.get(ReliableMessage.ID_PROPERTY));
  }

  /**
   * The broker's message id (new for every send, the same across redeliveries of one send).
   *
   * @return the message id
   */
  public String messageId() {
    return messageId;
  }

  /**
   * Which delivery this is: 1 for the first, more for redeliveries the broker counted (a broker
   * crash may redeliver with attempt 1 again).
   *
   * @return the attempt, from 1
   */
  public int deliveryAttempt() {
    return deliveryAttempt;
  }

  /**
   * The FIFO message group.
   *
   * @return the group, when set
   */
  public Optional<String> messageGroup() {
    return Optional.ofNullable(messageGroup);
  }

  /**
   * When the producer created the message.
   *
   * @return the born timestamp
   */
  public Instant bornAt() {
    return bornAt;
  }

  /**
   * The scheduled delivery time of a delay message.
   *
   * @return the time, when set
   */
  public Optional<Instant> deliveryTime() {
    return Optional.ofNullable(deliveryTime);
  }

  @Override
  public String toString() {
    // Never the body or property values: they may carry personal data or secrets.
    return "ReceivedMessage{topic="
        + topic
        + ", messageId="
        + messageId
        + ", reliableId="
        + reliableId().orElse("-")
        + ", attempt="
        + deliveryAttempt
        + ", bodyBytes="
        + body.length
        + '}';
  }

  /** Builder of {@link ReceivedMessage}. */
  public static final class Builder {
    private final String topic;
    private final String messageId;
    private byte[] body = new byte[0];
    private String tag;
    private List<String> keys = List.of();
    private Map<String, String> properties = Map.of();
    private int deliveryAttempt = 1;
    private String messageGroup;
    private Instant bornAt = Instant.EPOCH;
    private Instant deliveryTime;

    private Builder(String topic, String messageId) {
      this.topic = Objects.requireNonNull(topic, "topic");
      this.messageId = Objects.requireNonNull(messageId, "messageId");
    }

    /**
     * Sets the body.
     *
     * @param body the bytes (copied)
     * @return this builder
     */
    public Builder body(byte[] body) {
      this.body = Objects.requireNonNull(body, "body").clone();
      return this;
    }

    /**
     * Sets the body as UTF-8 text.
     *
     * @param body the text
     * @return this builder
     */
    public Builder body(String body) {
      this.body = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return this;
    }

    /**
     * Sets the tag.
     *
     * @param tag the tag, or null
     * @return this builder
     */
    public Builder tag(String tag) {
      this.tag = tag;
      return this;
    }

    /**
     * Sets the keys.
     *
     * @param keys the keys
     * @return this builder
     */
    public Builder keys(List<String> keys) {
      this.keys = List.copyOf(keys);
      return this;
    }

    /**
     * Sets the properties.
     *
     * @param properties the properties
     * @return this builder
     */
    public Builder properties(Map<String, String> properties) {
      this.properties = Map.copyOf(properties);
      return this;
    }

    /**
     * Sets the delivery attempt.
     *
     * @param deliveryAttempt from 1
     * @return this builder
     */
    public Builder deliveryAttempt(int deliveryAttempt) {
      if (deliveryAttempt < 1) {
        throw new IllegalArgumentException(
            "deliveryAttempt must be at least 1, was " + deliveryAttempt);
      }
      this.deliveryAttempt = deliveryAttempt;
      return this;
    }

    /**
     * Sets the message group.
     *
     * @param messageGroup the group, or null
     * @return this builder
     */
    public Builder messageGroup(String messageGroup) {
      this.messageGroup = messageGroup;
      return this;
    }

    /**
     * Sets the born timestamp.
     *
     * @param bornAt the time
     * @return this builder
     */
    public Builder bornAt(Instant bornAt) {
      this.bornAt = Objects.requireNonNull(bornAt, "bornAt");
      return this;
    }

    /**
     * Sets the delivery time.
     *
     * @param deliveryTime the time, or null
     * @return this builder
     */
    public Builder deliveryTime(Instant deliveryTime) {
      this.deliveryTime = deliveryTime;
      return this;
    }

    /**
     * Builds the view.
     *
     * @return the message
     */
    public ReceivedMessage build() {
      return new ReceivedMessage(this);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReceivedMessage)) {
      return false;
    }
    ReceivedMessage m = (ReceivedMessage) o;
    return topic.equals(m.topic)
        && messageId.equals(m.messageId)
        && deliveryAttempt == m.deliveryAttempt
        && Arrays.equals(body, m.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, messageId, deliveryAttempt);
  }
}
