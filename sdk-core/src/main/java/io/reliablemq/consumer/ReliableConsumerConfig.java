package io.reliablemq.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link ReliableConsumer}. Immutable; build with {@link #custom}. Setters validate
 * and throw {@link IllegalArgumentException} naming the field and the limit.
 */
public final class ReliableConsumerConfig {
  /** The client's own default consumption thread count, kept as ours. */
  public static final int DEFAULT_CONSUMPTION_THREADS = 20;

  /** Longest allowed {@link Builder#connectMaxBackoff connect backoff}. */
  public static final Duration MAX_CONNECT_BACKOFF = Duration.ofMinutes(5);

  private final ClientSettings client;
  private final String consumerGroup;
  private final Map<String, String> subscriptions;
  private final int consumptionThreadCount;
  private final DedupConfig dedup;
  private final MeterRegistry meterRegistry;
  private final Duration connectInitialBackoff;
  private final Duration connectMaxBackoff;

  private ReliableConsumerConfig(Builder b) {
    this.client = b.client;
    this.consumerGroup = b.consumerGroup;
    this.subscriptions = Map.copyOf(b.subscriptions);
    this.consumptionThreadCount = b.consumptionThreadCount;
    this.dedup = b.dedup;
    this.meterRegistry = b.meterRegistry;
    this.connectInitialBackoff = b.connectInitialBackoff;
    this.connectMaxBackoff = b.connectMaxBackoff;
  }

  /**
   * Starts a builder; at least one {@link Builder#subscribe subscription} is required.
   *
   * @param client how to reach the proxy
   * @param consumerGroup the consumer group (for FIFO consumption, a group created as FIFO)
   * @return a builder
   */
  public static Builder custom(ClientSettings client, String consumerGroup) {
    return new Builder(client, consumerGroup);
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
   * The consumer group; also the scope of dedup keys.
   *
   * @return the group
   */
  public String consumerGroup() {
    return consumerGroup;
  }

  /**
   * The subscriptions.
   *
   * @return topic to tag expression
   */
  public Map<String, String> subscriptions() {
    return subscriptions;
  }

  /**
   * How many handlers run at once.
   *
   * @return the thread count
   */
  public int consumptionThreadCount() {
    return consumptionThreadCount;
  }

  /**
   * The dedup settings.
   *
   * @return the settings ({@link DedupConfig#disabled()} when none)
   */
  public DedupConfig dedup() {
    return dedup;
  }

  /**
   * Where metrics go.
   *
   * @return the registry, when set
   */
  public Optional<MeterRegistry> meterRegistry() {
    return Optional.ofNullable(meterRegistry);
  }

  /**
   * First wait between attempts to start the client while the broker is unreachable ({@link
   * ConsumerState#WAITING}); doubles, with jitter, up to {@link #connectMaxBackoff()}.
   *
   * @return the first wait (default 200 ms)
   */
  public Duration connectInitialBackoff() {
    return connectInitialBackoff;
  }

  /**
   * Longest wait between attempts to start the client while the broker is unreachable.
   *
   * @return the longest wait (default 5 s)
   */
  public Duration connectMaxBackoff() {
    return connectMaxBackoff;
  }

  @Override
  public String toString() {
    return "ReliableConsumerConfig{client="
        + client
        + ", consumerGroup="
        + consumerGroup
        + ", subscriptions="
        + subscriptions
        + ", consumptionThreadCount="
        + consumptionThreadCount
        + ", dedup="
        + dedup
        + ", connectInitialBackoff="
        + connectInitialBackoff
        + ", connectMaxBackoff="
        + connectMaxBackoff
        + '}';
  }

  /** Builder of {@link ReliableConsumerConfig}. */
  public static final class Builder {
    private final ClientSettings client;
    private final String consumerGroup;
    private final Map<String, String> subscriptions = new LinkedHashMap<>();
    private int consumptionThreadCount = DEFAULT_CONSUMPTION_THREADS;
    private DedupConfig dedup = DedupConfig.disabled();
    private MeterRegistry meterRegistry;
    private Duration connectInitialBackoff = Duration.ofMillis(200);
    private Duration connectMaxBackoff = Duration.ofSeconds(5);

    private Builder(ClientSettings client, String consumerGroup) {
      this.client = Objects.requireNonNull(client, "client");
      if (consumerGroup == null
          || consumerGroup.isBlank()
          || consumerGroup.length() > 255
          || !consumerGroup.matches("^[%|a-zA-Z0-9_-]+$")) {
        throw new IllegalArgumentException(
            "consumerGroup must be 1..255 characters of [%|a-zA-Z0-9_-], was "
                + (consumerGroup == null ? "null" : '"' + consumerGroup + '"'));
      }
      this.consumerGroup = consumerGroup;
    }

    /**
     * Subscribes to a topic.
     *
     * @param topic the topic, not blank
     * @param tagExpression a tag expression such as {@code *} or {@code a||b}, not blank
     * @return this builder
     */
    public Builder subscribe(String topic, String tagExpression) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("topic must not be blank");
      }
      if (tagExpression == null || tagExpression.isBlank()) {
        throw new IllegalArgumentException("tagExpression must not be blank");
      }
      subscriptions.put(topic, tagExpression);
      return this;
    }

    /**
     * Sets how many handlers run at once.
     *
     * @param count 1 to 1000
     * @return this builder
     */
    public Builder consumptionThreadCount(int count) {
      if (count < 1 || count > 1000) {
        throw new IllegalArgumentException("consumptionThreadCount must be 1..1000, was " + count);
      }
      this.consumptionThreadCount = count;
      return this;
    }

    /**
     * Sets the dedup settings.
     *
     * @param dedup the settings
     * @return this builder
     */
    public Builder dedup(DedupConfig dedup) {
      this.dedup = Objects.requireNonNull(dedup, "dedup");
      return this;
    }

    /**
     * Sets where metrics go: {@code reliablemq.consume} timer {result=success|failure|duplicate},
     * {@code reliablemq.dedup.store} timer {op=claim|mark} (store latency), and the in-memory
     * cache's statistics through Micrometer's Caffeine binder ({@code
     * cache.gets{cache=reliablemq.dedup.cache, result=hit|miss}} gives the hit ratio).
     *
     * @param meterRegistry the registry, or null for none
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Sets the first wait between attempts to start the client while the broker is unreachable.
     *
     * @param backoff 1 ms to {@link #MAX_CONNECT_BACKOFF}
     * @return this builder
     */
    public Builder connectInitialBackoff(Duration backoff) {
      this.connectInitialBackoff = checkBackoff("connectInitialBackoff", backoff);
      return this;
    }

    /**
     * Sets the longest wait between attempts to start the client while the broker is unreachable.
     *
     * @param backoff 1 ms to {@link #MAX_CONNECT_BACKOFF}, at least {@code connectInitialBackoff}
     * @return this builder
     */
    public Builder connectMaxBackoff(Duration backoff) {
      this.connectMaxBackoff = checkBackoff("connectMaxBackoff", backoff);
      return this;
    }

    private static Duration checkBackoff(String field, Duration backoff) {
      Objects.requireNonNull(backoff, field);
      if (backoff.compareTo(Duration.ofMillis(1)) < 0
          || backoff.compareTo(MAX_CONNECT_BACKOFF) > 0) {
        throw new IllegalArgumentException(
            field + " must be 1 ms.." + MAX_CONNECT_BACKOFF + ", was " + backoff);
      }
      return backoff;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws IllegalArgumentException when there is no subscription, or connectInitialBackoff
     *     exceeds connectMaxBackoff
     */
    public ReliableConsumerConfig build() {
      if (subscriptions.isEmpty()) {
        throw new IllegalArgumentException("subscriptions must not be empty: call subscribe()");
      }
      if (connectInitialBackoff.compareTo(connectMaxBackoff) > 0) {
        throw new IllegalArgumentException(
            "connectInitialBackoff must not exceed connectMaxBackoff ("
                + connectMaxBackoff
                + "), was "
                + connectInitialBackoff);
      }
      return new ReliableConsumerConfig(this);
    }
  }
}
