package io.reliablemq.fallback;

import java.time.Duration;
import java.util.Objects;

/**
 * How the replayer drains the fallback store: in batches of {@link #batchSize()} claimed under a
 * {@link #lease()}, at most {@link #maxRatePerSecond()} messages a second (halved while the broker
 * throttles), backing off from {@link #initialBackoff()} to {@link #maxBackoff()} while the broker
 * stays unreachable, and looking for new entries every {@link #idlePoll()} when idle.
 *
 * <p>It lives beside the store it drains, but it is a producer setting: pass it to {@code
 * ReliableProducerConfig.custom(...).replay(...)} (the replayer runs inside the producer). The
 * store itself is configured by {@link FallbackStoreConfig} (where and how entries are kept).
 */
public final class ReplayConfig {
  private static final ReplayConfig DEFAULTS = custom().build();

  private final boolean enabled;
  private final int batchSize;
  private final int maxRatePerSecond;
  private final Duration lease;
  private final Duration idlePoll;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final String instanceId;

  private ReplayConfig(Builder b) {
    this.instanceId = b.instanceId;
    this.enabled = b.enabled;
    this.batchSize = b.batchSize;
    this.maxRatePerSecond = b.maxRatePerSecond;
    this.lease = b.lease;
    this.idlePoll = b.idlePoll;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
  }

  /**
   * Defaults: batches of 1,024, 5,000 msg/s, 60 s lease, 1 s idle poll, backoff 500 ms to 30 s.
   *
   * @return the defaults
   */
  public static ReplayConfig ofDefaults() {
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
   * Whether a replayer runs in this process.
   *
   * @return true by default
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Entries claimed per round.
   *
   * @return the batch size
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * Replay rate cap.
   *
   * @return messages per second
   */
  public int maxRatePerSecond() {
    return maxRatePerSecond;
  }

  /**
   * How long a claim holds before another replayer may take the entries.
   *
   * @return the lease
   */
  public Duration lease() {
    return lease;
  }

  /**
   * How often an idle replayer looks for entries (appends wake it at once).
   *
   * @return the interval
   */
  public Duration idlePoll() {
    return idlePoll;
  }

  /**
   * First pause after a round that could not reach the broker.
   *
   * @return the backoff
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * Longest pause between rounds while the broker stays unreachable.
   *
   * @return the backoff cap
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * The stable id of this application instance, if configured: the replayer then claims under an
   * owner id derived from it, and releases that owner's leases when it starts, so that an instance
   * restarted on a shared store does not wait out the leases of its own previous process. Two
   * instances running at once must never share an id (each would take the other's claims for its
   * own). Without it the owner id is random per start; an embedded H2 store frees every lease when
   * it is opened anyway.
   *
   * @return the instance id, empty by default
   */
  public java.util.Optional<String> instanceId() {
    return java.util.Optional.ofNullable(instanceId);
  }

  /** Builder of {@link ReplayConfig}. */
  public static final class Builder {
    private boolean enabled = true;
    private int batchSize = 1024;
    private int maxRatePerSecond = 5_000;
    private Duration lease = Duration.ofSeconds(60);
    private Duration idlePoll = Duration.ofSeconds(1);
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private String instanceId;

    private Builder() {}

    /**
     * Turns the replayer on or off (off: another instance replays a shared store).
     *
     * @param enabled whether to run
     * @return this builder
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Sets the batch size.
     *
     * @param size 1 to 10000
     * @return this builder
     */
    public Builder batchSize(int size) {
      if (size < 1 || size > 10_000) {
        throw new IllegalArgumentException("batchSize must be 1..10000, was " + size);
      }
      this.batchSize = size;
      return this;
    }

    /**
     * Sets the rate cap.
     *
     * @param perSecond 1 to 1000000
     * @return this builder
     */
    public Builder maxRatePerSecond(int perSecond) {
      if (perSecond < 1 || perSecond > 1_000_000) {
        throw new IllegalArgumentException("maxRatePerSecond must be 1..1000000, was " + perSecond);
      }
      this.maxRatePerSecond = perSecond;
      return this;
    }

    /**
     * Sets the claim lease.
     *
     * @param lease at least 1 s
     * @return this builder
     */
    public Builder lease(Duration lease) {
      this.lease = atLeast("lease", lease, Duration.ofSeconds(1));
      return this;
    }

    /**
     * Sets the idle poll interval.
     *
     * @param idlePoll at least 10 ms
     * @return this builder
     */
    public Builder idlePoll(Duration idlePoll) {
      this.idlePoll = atLeast("idlePoll", idlePoll, Duration.ofMillis(10));
      return this;
    }

    /**
     * Sets the first backoff.
     *
     * @param backoff at least 1 ms
     * @return this builder
     */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = atLeast("initialBackoff", backoff, Duration.ofMillis(1));
      return this;
    }

    /**
     * Sets the backoff cap.
     *
     * @param backoff at least 1 ms
     * @return this builder
     */
    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = atLeast("maxBackoff", backoff, Duration.ofMillis(1));
      return this;
    }

    /**
     * Sets the stable instance id (see {@link ReplayConfig#instanceId()}).
     *
     * @param id 1 to 64 characters of letters, digits, '.', '_' or '-'; null for none
     * @return this builder
     */
    public Builder instanceId(String id) {
      if (id != null && !id.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            "instanceId must be 1 to 64 letters, digits, '.', '_' or '-', was '" + id + "'");
      }
      this.instanceId = id;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return immutable config
     */
    public ReplayConfig build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff (" + initialBackoff + ") must be <= maxBackoff (" + maxBackoff + ")");
      }
      return new ReplayConfig(this);
    }

    private static Duration atLeast(String name, Duration d, Duration min) {
      Objects.requireNonNull(d, name + " must not be null");
      if (d.compareTo(min) < 0) {
        throw new IllegalArgumentException(name + " must be >= " + min + ", was " + d);
      }
      return d;
    }
  }
}
