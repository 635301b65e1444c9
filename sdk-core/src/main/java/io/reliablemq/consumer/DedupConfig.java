package io.reliablemq.consumer;

import com.github.benmanes.caffeine.cache.Ticker;
import io.reliablemq.dedup.DedupStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link ReliableConsumer} deduplicates. Immutable; {@link #disabled()} or {@link
 * #custom(DedupStore)}. Setters validate and throw {@link IllegalArgumentException} naming the
 * field and the limit.
 *
 * <p><b>Default TTL: 24 hours.</b> A CONSUMED record must outlive every redelivery of its message.
 * The broker's horizon, read from RocketMQ 5.3.3: a consumer group retries 16 times ({@code
 * SubscriptionGroupConfig.retryMaxTimes}) with the default customized backoff 10 s, 30 s, 1, 2, 3,
 * 4, 5, 6, 7, 8, 9, 10, 20, 30 min, 1 h, 2 h ({@code CustomizedRetryPolicy}), {@value
 * #BROKER_RETRY_HORIZON_SECONDS} s (4 h 45 min 40 s) in all, plus each attempt's processing time.
 * Producer-side duplicates (fallback replay after an outage, ambiguous timeouts) come later still,
 * by as long as the outage lasted. 24 h covers the retry horizon about five times over and an
 * outage of most of a day; raise it when replays may come later, lower it to hold fewer records.
 *
 * <p><b>Lease.</b> A claim holds a key for {@link #lease()} (default 60 s); while the handler runs
 * the lease is extended every {@link #leaseRenewInterval()} (default 20 s). If the instance dies
 * the key is taken over by the next delivery after the lease ends. The broker side needs no
 * extension for the push consumer: it receives with {@code auto_renew}, and the 5.3.3 proxy renews
 * the message's invisibility itself, ahead by 10 s, for at most 3 h ({@code
 * ProxyConfig.renewMaxTimeMillis}); a handler running longer than that sees the message delivered
 * again elsewhere, where the live lease answers FAILURE until this handler finishes.
 *
 * <p><b>Order guard.</b> A FIFO message that carries {@value
 * io.reliablemq.message.ReliableMessage#PREVIOUS_ID_PROPERTY} (the id of the previous message of
 * its group that its producer accepted) is held, its handler not run and the message not
 * acknowledged, until that predecessor is CONSUMED in this group's dedup records, for at most
 * {@link #orderGuardWait()} (default 3 min) from its birth; then it is processed anyway and the gap
 * is counted ({@code reliablemq.consume.order.gaps}) and logged. This keeps a message group in
 * order when the proxy moved it to another queue while older messages still waited on the old one
 * (a broker group died and came back). The wait runs on the consumption thread under the claim's
 * renewed lease; the guard applies only with the {@link DedupKeyExtractor#standard() standard} key
 * (the predecessor is known by its id only) and to topics subscribed with {@code *} (a tag filter
 * may never deliver the predecessor). See docs/guarantees.md.
 *
 * <p><b>Not to be confused with</b> {@link io.reliablemq.dedup.DedupStoreConfig}: this class is the
 * consumer's dedup behaviour (on or off, TTL, lease, cache, key, order guard) and is passed to
 * {@link ReliableConsumerConfig}; {@code DedupStoreConfig} is where and how the store keeps the
 * records (directory, file name, table prefix, purge) and is passed to {@code JdbcDedupStore}, the
 * store this class then names.
 */
public final class DedupConfig {
  /** The broker's retry horizon with default group settings, in seconds (see the class comment). */
  public static final long BROKER_RETRY_HORIZON_SECONDS = 17_140;

  /** The default TTL of a CONSUMED record. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);

  /** The default longest wait of a FIFO message for its predecessor (the order guard). */
  public static final Duration DEFAULT_ORDER_GUARD_WAIT = Duration.ofMinutes(3);

  private static final DedupConfig DISABLED = new Builder(null).build();

  private final DedupStore store;
  private final DedupKeyExtractor keyExtractor;
  private final Duration ttl;
  private final Duration lease;
  private final Duration leaseRenewInterval;
  private final long cacheMaxSize;
  private final Duration cacheTtl;
  private final StoreUnavailablePolicy unavailablePolicy;
  private final Duration purgeInterval;
  private final Duration orderGuardWait;
  private final Clock clock;
  private final Ticker ticker;

  private DedupConfig(Builder b) {
    this.store = b.store;
    this.keyExtractor = b.keyExtractor;
    this.ttl = b.ttl;
    this.lease = b.lease;
    this.leaseRenewInterval = b.leaseRenewInterval;
    this.cacheMaxSize = b.cacheMaxSize;
    this.cacheTtl = b.cacheTtl;
    this.unavailablePolicy = b.unavailablePolicy;
    this.purgeInterval = b.purgeInterval;
    this.orderGuardWait = b.orderGuardWait;
    this.clock = b.clock;
    this.ticker = b.ticker;
  }

  /**
   * No deduplication: every delivery runs the handler (at-least-once).
   *
   * @return the disabled config
   */
  public static DedupConfig disabled() {
    return DISABLED;
  }

  /**
   * Starts a builder at the defaults, over a store.
   *
   * @param store the store that holds the truth (the consumer does not close it)
   * @return a builder
   */
  public static Builder custom(DedupStore store) {
    return new Builder(Objects.requireNonNull(store, "store"));
  }

  /**
   * Dedup over a store with every other value at its default.
   *
   * @param store the store
   * @return the config
   */
  public static DedupConfig ofDefaults(DedupStore store) {
    return custom(store).build();
  }

  /**
   * Whether dedup is on.
   *
   * @return true when a store is set
   */
  public boolean enabled() {
    return store != null;
  }

  /**
   * The store.
   *
   * @return the store, when enabled
   */
  public Optional<DedupStore> store() {
    return Optional.ofNullable(store);
  }

  /**
   * The key extractor.
   *
   * @return the extractor
   */
  public DedupKeyExtractor keyExtractor() {
    return keyExtractor;
  }

  /**
   * How long a CONSUMED record suppresses duplicates.
   *
   * @return the TTL
   */
  public Duration ttl() {
    return ttl;
  }

  /**
   * How long a claim holds a key without renewal.
   *
   * @return the lease
   */
  public Duration lease() {
    return lease;
  }

  /**
   * How often a running handler's lease is extended.
   *
   * @return the interval, less than the lease
   */
  public Duration leaseRenewInterval() {
    return leaseRenewInterval;
  }

  /**
   * Most CONSUMED keys held in memory.
   *
   * @return the size bound
   */
  public long cacheMaxSize() {
    return cacheMaxSize;
  }

  /**
   * How long a CONSUMED key stays in memory (never longer than its record).
   *
   * @return the cache TTL, at most {@link #ttl()}
   */
  public Duration cacheTtl() {
    return cacheTtl;
  }

  /**
   * What to do when the store cannot be reached.
   *
   * @return the policy
   */
  public StoreUnavailablePolicy unavailablePolicy() {
    return unavailablePolicy;
  }

  /**
   * How often expired records are deleted from the store.
   *
   * @return the interval
   */
  public Duration purgeInterval() {
    return purgeInterval;
  }

  /**
   * The longest a FIFO message waits for its predecessor before it is processed anyway (the order
   * guard, see the class comment).
   *
   * @return the wait, {@link Duration#ZERO} when the guard is off
   */
  public Duration orderGuardWait() {
    return orderGuardWait;
  }

  /**
   * The clock of leases and expiry.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * The ticker of the in-memory cache.
   *
   * @return the ticker
   */
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return enabled()
        ? "DedupConfig{ttl="
            + ttl
            + ", lease="
            + lease
            + ", leaseRenewInterval="
            + leaseRenewInterval
            + ", cacheMaxSize="
            + cacheMaxSize
            + ", cacheTtl="
            + cacheTtl
            + ", unavailablePolicy="
            + unavailablePolicy
            + ", orderGuardWait="
            + orderGuardWait
            + '}'
        : "DedupConfig{disabled}";
  }

  /** Builder of {@link DedupConfig}. */
  public static final class Builder {
    // Far below the proxy's 3 h limit on renewing a message's invisibility.
    private static final Duration MAX_WAIT = Duration.ofHours(1);
    private final DedupStore store;
    private DedupKeyExtractor keyExtractor = DedupKeyExtractor.standard();
    private Duration ttl = DEFAULT_TTL;
    private Duration lease = Duration.ofSeconds(60);
    private Duration leaseRenewInterval = Duration.ofSeconds(20);
    private long cacheMaxSize = 100_000;
    private Duration cacheTtl;
    private StoreUnavailablePolicy unavailablePolicy = StoreUnavailablePolicy.FAIL_CLOSED;
    private Duration purgeInterval = Duration.ofMinutes(10);
    private Duration orderGuardWait = DEFAULT_ORDER_GUARD_WAIT;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.systemTicker();

    private Builder(DedupStore store) {
      this.store = store;
    }

    /**
     * Sets the key extractor.
     *
     * @param keyExtractor the extractor
     * @return this builder
     */
    public Builder keyExtractor(DedupKeyExtractor keyExtractor) {
      this.keyExtractor = Objects.requireNonNull(keyExtractor, "keyExtractor");
      return this;
    }

    /**
     * Sets how long a CONSUMED record suppresses duplicates.
     *
     * @param ttl 1 minute to 365 days
     * @return this builder
     */
    public Builder ttl(Duration ttl) {
      this.ttl = range("ttl", ttl, Duration.ofMinutes(1), Duration.ofDays(365));
      return this;
    }

    /**
     * Sets the lease of a claim.
     *
     * @param lease 1 second to 1 day
     * @return this builder
     */
    public Builder lease(Duration lease) {
      this.lease = range("lease", lease, Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Sets how often a running handler's lease is extended; must be less than the lease.
     *
     * @param interval 100 ms to 1 hour
     * @return this builder
     */
    public Builder leaseRenewInterval(Duration interval) {
      this.leaseRenewInterval =
          range("leaseRenewInterval", interval, Duration.ofMillis(100), Duration.ofHours(1));
      return this;
    }

    /**
     * Sets how many CONSUMED keys are held in memory.
     *
     * @param cacheMaxSize 0 (no cache) to 100,000,000
     * @return this builder
     */
    public Builder cacheMaxSize(long cacheMaxSize) {
      if (cacheMaxSize < 0 || cacheMaxSize > 100_000_000L) {
        throw new IllegalArgumentException(
            "cacheMaxSize must be 0..100000000, was " + cacheMaxSize);
      }
      this.cacheMaxSize = cacheMaxSize;
      return this;
    }

    /**
     * Sets how long a CONSUMED key stays in memory; must not exceed the TTL. Default: 30 minutes,
     * or the TTL when shorter.
     *
     * @param cacheTtl 1 second to 365 days
     * @return this builder
     */
    public Builder cacheTtl(Duration cacheTtl) {
      this.cacheTtl = range("cacheTtl", cacheTtl, Duration.ofSeconds(1), Duration.ofDays(365));
      return this;
    }

    /**
     * Sets what to do when the store cannot be reached.
     *
     * @param policy FAIL_CLOSED (default) or FAIL_OPEN
     * @return this builder
     */
    public Builder unavailablePolicy(StoreUnavailablePolicy policy) {
      this.unavailablePolicy = Objects.requireNonNull(policy, "unavailablePolicy");
      return this;
    }

    /**
     * Sets how often expired records are deleted.
     *
     * @param purgeInterval 1 second to 1 day
     * @return this builder
     */
    public Builder purgeInterval(Duration purgeInterval) {
      this.purgeInterval =
          range("purgeInterval", purgeInterval, Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Sets the longest a FIFO message waits for its predecessor (the order guard), counted from the
     * message's birth. It should cover how long a broker group may stay down plus the consumer's
     * lag: a predecessor on a dead broker arrives when it returns. While a message waits, its queue
     * waits behind it and it occupies a consumption thread.
     *
     * @param wait 0 (guard off) to 1 hour
     * @return this builder
     */
    public Builder orderGuardWait(Duration wait) {
      this.orderGuardWait = range("orderGuardWait", wait, Duration.ZERO, MAX_WAIT);
      return this;
    }

    /**
     * Sets the clock of leases and expiry.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the ticker of the in-memory cache.
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws IllegalArgumentException when the renew interval is not below the lease, or the cache
     *     TTL exceeds the TTL
     */
    public DedupConfig build() {
      if (cacheTtl == null) {
        // Derived, so a short TTL alone is valid: 30 minutes, or the TTL when shorter.
        cacheTtl = ttl.compareTo(Duration.ofMinutes(30)) < 0 ? ttl : Duration.ofMinutes(30);
      }
      if (leaseRenewInterval.compareTo(lease) >= 0) {
        throw new IllegalArgumentException(
            "leaseRenewInterval must be less than lease ("
                + lease
                + "), was "
                + leaseRenewInterval);
      }
      if (cacheTtl.compareTo(ttl) > 0) {
        throw new IllegalArgumentException(
            "cacheTtl must be at most ttl (" + ttl + "), was " + cacheTtl);
      }
      return new DedupConfig(this);
    }

    private static Duration range(String field, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, field);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            field + " must be " + min + ".." + max + ", was " + value);
      }
      return value;
    }
  }
}
