package io.reliablemq.message;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits a message is validated against before any I/O. Defaults are the RocketMQ 5 proxy's
 * defaults ({@code ProxyConfig}); a server may be configured lower, so lower them here to match.
 * Immutable; {@link #ofDefaults()} or {@link #custom()}.
 */
public final class MessageLimits {
  private static final MessageLimits DEFAULTS = custom().build();

  private final int maxBodyBytes;
  private final int maxPropertyBytes;
  private final int maxPropertyCount;
  private final int maxMessageGroupLength;
  private final int maxTopicLength;
  private final Duration maxDeliveryDelay;

  private MessageLimits(Builder b) {
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxPropertyBytes = b.maxPropertyBytes;
    this.maxPropertyCount = b.maxPropertyCount;
    this.maxMessageGroupLength = b.maxMessageGroupLength;
    this.maxTopicLength = b.maxTopicLength;
    this.maxDeliveryDelay = b.maxDeliveryDelay;
  }

  /**
   * The proxy's default limits: body 4 MiB, properties 16 KiB and 128 entries, group 64 characters,
   * topic 127 characters, delay one day.
   *
   * @return the defaults
   */
  public static MessageLimits ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder at the defaults.
   *
   * @return a builder
   */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * Largest body.
   *
   * @return bytes
   */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Largest total of user property keys and values, UTF-8 encoded.
   *
   * @return bytes
   */
  public int maxPropertyBytes() {
    return maxPropertyBytes;
  }

  /**
   * Most user properties.
   *
   * @return count
   */
  public int maxPropertyCount() {
    return maxPropertyCount;
  }

  /**
   * Longest message group.
   *
   * @return characters
   */
  public int maxMessageGroupLength() {
    return maxMessageGroupLength;
  }

  /**
   * Longest topic name.
   *
   * @return characters
   */
  public int maxTopicLength() {
    return maxTopicLength;
  }

  /**
   * Longest delivery delay (proxy {@code maxDelayTimeMills}).
   *
   * @return the delay
   */
  public Duration maxDeliveryDelay() {
    return maxDeliveryDelay;
  }

  /** Builder of {@link MessageLimits}; every limit must be positive. */
  public static final class Builder {
    private int maxBodyBytes = 4 * 1024 * 1024;
    private int maxPropertyBytes = 16 * 1024;
    private int maxPropertyCount = 128;
    private int maxMessageGroupLength = 64;
    private int maxTopicLength = 127;
    private Duration maxDeliveryDelay = Duration.ofDays(1);

    private Builder() {}

    /**
     * Sets the largest body.
     *
     * @param bytes positive
     * @return this builder
     */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = positive("maxBodyBytes", bytes);
      return this;
    }

    /**
     * Sets the largest total size of user properties.
     *
     * @param bytes positive
     * @return this builder
     */
    public Builder maxPropertyBytes(int bytes) {
      this.maxPropertyBytes = positive("maxPropertyBytes", bytes);
      return this;
    }

    /**
     * Sets the most user properties.
     *
     * @param count positive
     * @return this builder
     */
    public Builder maxPropertyCount(int count) {
      this.maxPropertyCount = positive("maxPropertyCount", count);
      return this;
    }

    /**
     * Sets the longest message group.
     *
     * @param length positive
     * @return this builder
     */
    public Builder maxMessageGroupLength(int length) {
      this.maxMessageGroupLength = positive("maxMessageGroupLength", length);
      return this;
    }

    /**
     * Sets the longest topic name.
     *
     * @param length positive
     * @return this builder
     */
    public Builder maxTopicLength(int length) {
      this.maxTopicLength = positive("maxTopicLength", length);
      return this;
    }

    /**
     * Sets the longest delivery delay.
     *
     * @param delay positive
     * @return this builder
     */
    public Builder maxDeliveryDelay(Duration delay) {
      Objects.requireNonNull(delay, "maxDeliveryDelay must not be null");
      if (delay.isNegative() || delay.isZero()) {
        throw new IllegalArgumentException("maxDeliveryDelay must be > 0, was " + delay);
      }
      this.maxDeliveryDelay = delay;
      return this;
    }

    /**
     * Builds the limits.
     *
     * @return immutable limits
     */
    public MessageLimits build() {
      return new MessageLimits(this);
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be > 0, was " + value);
      }
      return value;
    }
  }
}
