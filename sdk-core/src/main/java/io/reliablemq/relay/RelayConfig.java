package io.reliablemq.relay;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * What a {@link BacklogRelay} relays and when it stops. Immutable; build with {@link #custom}.
 * Setters validate and throw {@link IllegalArgumentException} naming the field and the limit.
 *
 * <p>Without a stop condition the relay runs until {@link BacklogRelay#close()}. With {@link
 * Builder#idleTimeout} it stops once nothing arrived for that long and nothing is in flight (the
 * source is drained); with {@link Builder#until} it stops receiving at that time.
 */
public final class RelayConfig {
  /** The proxy's smallest accepted invisible duration for a receive. */
  public static final Duration MIN_INVISIBLE_DURATION = Duration.ofSeconds(10);

  /**
   * The proxy's shortest long poll: a receive that waits less is answered with "deadline time
   * remaining is not enough for polling" (proxy setting {@code
   * grpcClientConsumerMinLongPollingTimeoutMillis}).
   */
  public static final Duration MIN_POLL_TIMEOUT = Duration.ofSeconds(5);

  /** The broker's largest receive batch. */
  public static final int MAX_BATCH_SIZE = 32;

  // RocketMQ's own rules for topic and group names.
  private static final Pattern NAME = Pattern.compile("[%a-zA-Z0-9_-]{1,127}");

  private final ClientSettings client;
  private final String sourceTopic;
  private final String filterExpression;
  private final String consumerGroup;
  private final String targetTopic;
  private final int batchSize;
  private final int maxInFlight;
  private final Duration invisibleDuration;
  private final Duration pollTimeout;
  private final Duration idleTimeout;
  private final Instant until;
  private final Duration closeTimeout;
  private final Duration progressInterval;
  private final Long expectedTotal;
  private final Clock clock;
  private final MeterRegistry meterRegistry;

  private RelayConfig(Builder b) {
    this.client = b.client;
    this.sourceTopic = b.sourceTopic;
    this.filterExpression = b.filterExpression;
    this.consumerGroup = b.consumerGroup;
    this.targetTopic = b.targetTopic;
    this.batchSize = b.batchSize;
    this.maxInFlight = b.maxInFlight;
    this.invisibleDuration = b.invisibleDuration;
    this.pollTimeout = b.pollTimeout;
    this.idleTimeout = b.idleTimeout;
    this.until = b.until;
    this.closeTimeout = b.closeTimeout;
    this.progressInterval = b.progressInterval;
    this.expectedTotal = b.expectedTotal;
    this.clock = b.clock;
    this.meterRegistry = b.meterRegistry;
  }

  /**
   * Starts a builder.
   *
   * @param client how to reach the proxy
   * @param sourceTopic the backlogged topic
   * @param consumerGroup the relay's consumer group (FIFO-created when the source is a FIFO topic)
   * @param targetTopic the wider topic, of the same message type as the source
   * @return a builder
   */
  public static Builder custom(
      ClientSettings client, String sourceTopic, String consumerGroup, String targetTopic) {
    return new Builder(client, sourceTopic, consumerGroup, targetTopic);
  }

  /**
   * The client settings.
   *
   * @return the settings
   */
  public ClientSettings client() {
    return client;
  }

  /**
   * The source topic.
   *
   * @return the topic
   */
  public String sourceTopic() {
    return sourceTopic;
  }

  /**
   * The tag expression on the source topic.
   *
   * @return the expression, {@code *} by default
   */
  public String filterExpression() {
    return filterExpression;
  }

  /**
   * The relay's consumer group.
   *
   * @return the group
   */
  public String consumerGroup() {
    return consumerGroup;
  }

  /**
   * The target topic.
   *
   * @return the topic
   */
  public String targetTopic() {
    return targetTopic;
  }

  /**
   * Messages asked for per receive.
   *
   * @return 1 to {@value #MAX_BATCH_SIZE}
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * The most copies in flight at once.
   *
   * @return at least the batch size
   */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * How long a received source message stays invisible to others; an unacknowledged one comes back
   * after it, so it must cover a send's whole retry deadline.
   *
   * @return the duration, at least 10 s
   */
  public Duration invisibleDuration() {
    return invisibleDuration;
  }

  /**
   * How long one receive waits for messages (long polling); also how soon a close is noticed.
   *
   * @return the duration
   */
  public Duration pollTimeout() {
    return pollTimeout;
  }

  /**
   * Stop once nothing arrived for this long.
   *
   * @return the idle time, if set
   */
  public Optional<Duration> idleTimeout() {
    return Optional.ofNullable(idleTimeout);
  }

  /**
   * Stop receiving at this time.
   *
   * @return the end time, if set
   */
  public Optional<Instant> until() {
    return Optional.ofNullable(until);
  }

  /**
   * How long a stop waits for in-flight copies.
   *
   * @return the duration
   */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * How often the progress is logged.
   *
   * @return the interval
   */
  public Duration progressInterval() {
    return progressInterval;
  }

  /**
   * The backlog size the operator expects, for {@link RelayProgress#remaining()}.
   *
   * @return the expected total, if given
   */
  public OptionalLong expectedTotal() {
    return expectedTotal == null ? OptionalLong.empty() : OptionalLong.of(expectedTotal);
  }

  /**
   * The clock for the stop conditions and progress.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Where the relay's counter {@code reliablemq.relay.messages} goes.
   *
   * @return the registry, if any
   */
  public Optional<MeterRegistry> meterRegistry() {
    return Optional.ofNullable(meterRegistry);
  }

  @Override
  public String toString() {
    return "RelayConfig{from="
        + sourceTopic
        + " ("
        + filterExpression
        + "), group="
        + consumerGroup
        + ", to="
        + targetTopic
        + ", batchSize="
        + batchSize
        + ", maxInFlight="
        + maxInFlight
        + ", invisibleDuration="
        + invisibleDuration
        + ", idleTimeout="
        + idleTimeout
        + ", until="
        + until
        + '}';
  }

  /** Builds a {@link RelayConfig}; each setter validates its value. */
  public static final class Builder {
    private final ClientSettings client;
    private final String sourceTopic;
    private final String consumerGroup;
    private final String targetTopic;
    private String filterExpression = "*";
    private int batchSize = 16;
    private int maxInFlight = 256;
    private Duration invisibleDuration = Duration.ofSeconds(60);
    private Duration pollTimeout = MIN_POLL_TIMEOUT;
    private Duration idleTimeout;
    private Instant until;
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Duration progressInterval = Duration.ofSeconds(10);
    private Long expectedTotal;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;

    private Builder(
        ClientSettings client, String sourceTopic, String consumerGroup, String targetTopic) {
      this.client = Objects.requireNonNull(client, "client must not be null");
      this.sourceTopic = name("sourceTopic", sourceTopic);
      this.consumerGroup = name("consumerGroup", consumerGroup);
      this.targetTopic = name("targetTopic", targetTopic);
      if (sourceTopic.equals(targetTopic)) {
        throw new IllegalArgumentException(
            "targetTopic must differ from sourceTopic (was " + targetTopic + ")");
      }
    }

    private static String name(String field, String value) {
      if (value == null || !NAME.matcher(value).matches()) {
        throw new IllegalArgumentException(field + " must be 1-127 characters of [%a-zA-Z0-9_-]");
      }
      return value;
    }

    /**
     * Sets the tag expression on the source topic.
     *
     * @param filterExpression e.g. {@code *} or {@code TagA||TagB}
     * @return this builder
     */
    public Builder filterExpression(String filterExpression) {
      if (filterExpression == null || filterExpression.isBlank()) {
        throw new IllegalArgumentException("filterExpression must not be blank");
      }
      this.filterExpression = filterExpression.trim();
      return this;
    }

    /**
     * Sets the receive batch size.
     *
     * @param batchSize 1 to {@value RelayConfig#MAX_BATCH_SIZE}
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
        throw new IllegalArgumentException(
            "batchSize must be 1-" + MAX_BATCH_SIZE + " (was " + batchSize + ")");
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets the most copies in flight.
     *
     * @param maxInFlight 1 to 10000, and at least the batch size when built
     * @return this builder
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1 || maxInFlight > 10_000) {
        throw new IllegalArgumentException("maxInFlight must be 1-10000 (was " + maxInFlight + ")");
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Sets the invisible duration of received source messages.
     *
     * @param invisibleDuration 10 s to 12 h
     * @return this builder
     */
    public Builder invisibleDuration(Duration invisibleDuration) {
      this.invisibleDuration =
          range(
              "invisibleDuration", invisibleDuration, MIN_INVISIBLE_DURATION, Duration.ofHours(12));
      return this;
    }

    /**
     * Sets how long one receive waits.
     *
     * @param pollTimeout 5 s (the proxy's shortest long poll) to 30 s
     * @return this builder
     */
    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout =
          range("pollTimeout", pollTimeout, MIN_POLL_TIMEOUT, Duration.ofSeconds(30));
      return this;
    }

    /**
     * Stops the relay once nothing arrived for this long and nothing is in flight.
     *
     * @param idleTimeout 1 s to 24 h, or null for no idle stop
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout =
          idleTimeout == null
              ? null
              : range("idleTimeout", idleTimeout, Duration.ofSeconds(1), Duration.ofHours(24));
      return this;
    }

    /**
     * Stops receiving at this time.
     *
     * @param until the end time, or null for none
     * @return this builder
     */
    public Builder until(Instant until) {
      this.until = until;
      return this;
    }

    /**
     * Sets how long a stop waits for in-flight copies.
     *
     * @param closeTimeout 1 s to 10 min
     * @return this builder
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout =
          range("closeTimeout", closeTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
      return this;
    }

    /**
     * Sets how often the progress is logged.
     *
     * @param progressInterval 1 s to 1 h
     * @return this builder
     */
    public Builder progressInterval(Duration progressInterval) {
      this.progressInterval =
          range("progressInterval", progressInterval, Duration.ofSeconds(1), Duration.ofHours(1));
      return this;
    }

    /**
     * Sets the backlog size the operator expects, so the progress shows what remains.
     *
     * @param expectedTotal at least 0
     * @return this builder
     */
    public Builder expectedTotal(long expectedTotal) {
      if (expectedTotal < 0) {
        throw new IllegalArgumentException(
            "expectedTotal must be >= 0 (was " + expectedTotal + ")");
      }
      this.expectedTotal = expectedTotal;
      return this;
    }

    /**
     * Sets the clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Sets the meter registry.
     *
     * @param meterRegistry the registry, or null for none
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    private static Duration range(String field, Duration value, Duration min, Duration max) {
      if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            field + " must be between " + min + " and " + max + " (was " + value + ")");
      }
      return value;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws IllegalArgumentException when maxInFlight is below batchSize
     */
    public RelayConfig build() {
      if (maxInFlight < batchSize) {
        throw new IllegalArgumentException(
            "maxInFlight must be >= batchSize (" + maxInFlight + " < " + batchSize + ")");
      }
      return new RelayConfig(this);
    }
  }
}
