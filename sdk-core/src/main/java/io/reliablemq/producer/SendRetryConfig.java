package io.reliablemq.producer;

import java.time.Duration;
import java.util.Objects;

/**
 * How a send retries: at most {@link #maxAttempts()} attempts, exponential backoff from {@link
 * #initialBackoff()} by {@link #multiplier()} up to {@link #maxBackoff()} with ±{@link #jitter()}
 * randomisation, all inside one {@link #totalDeadline()}. Only errors that {@link
 * ExceptionClassifier} calls retryable are retried.
 *
 * <p>The RocketMQ client is built with its own internal attempts set to 1, so these are the only
 * attempts made: a send costs at most {@code maxAttempts} requests and never longer than the
 * deadline (each attempt is cut at the deadline; a backoff that would cross it is not taken).
 *
 * <p>On top of those, up to {@link #maxQueueRetries()} attempts are made at once, without backoff
 * and without counting toward {@code maxAttempts}, after a failure of one broker behind a proxy
 * that answered ({@link ExceptionClassifier#isQueueFailure}): in proxy cluster mode the proxy picks
 * every attempt's queue round robin over all broker groups, so with one group dead the next attempt
 * may reach a live one, and consecutive picks can hit the dead group's queues several times in a
 * row. A send then ends SENT through the live groups instead of STORED.
 */
public final class SendRetryConfig {
  private static final SendRetryConfig DEFAULTS = custom().build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double multiplier;
  private final Duration maxBackoff;
  private final double jitter;
  private final Duration totalDeadline;
  private final int maxQueueRetries;

  private SendRetryConfig(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.multiplier = b.multiplier;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.totalDeadline = b.totalDeadline;
    this.maxQueueRetries = b.maxQueueRetries;
  }

  /**
   * Defaults: 3 attempts, backoff 100 ms doubling to at most 2 s with ±50 % jitter, deadline 10 s,
   * up to 8 immediate attempts after broker-side failures.
   *
   * @return the defaults
   */
  public static SendRetryConfig ofDefaults() {
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
   * Most attempts per send, the first included.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Backoff before the second attempt.
   *
   * @return the backoff
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * Growth factor of the backoff per attempt.
   *
   * @return at least 1
   */
  public double multiplier() {
    return multiplier;
  }

  /**
   * Cap of the backoff.
   *
   * @return the cap
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * Randomisation factor of each backoff: 0.5 means ±50 %.
   *
   * @return in [0, 1)
   */
  public double jitter() {
    return jitter;
  }

  /**
   * The one deadline for the whole send, every attempt and backoff included.
   *
   * @return the deadline
   */
  public Duration totalDeadline() {
    return totalDeadline;
  }

  /**
   * Most immediate extra attempts per send after a broker-side failure behind a live proxy ({@link
   * ExceptionClassifier#isQueueFailure}); they do not count toward {@link #maxAttempts()} and stay
   * inside {@link #totalDeadline()}. The default, 8, covers a dead broker group of up to 8 write
   * queues per topic, which round robin may pick that many times in a row.
   *
   * @return 0 (off) or more
   */
  public int maxQueueRetries() {
    return maxQueueRetries;
  }

  @Override
  public String toString() {
    return "SendRetryConfig{maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", multiplier="
        + multiplier
        + ", maxBackoff="
        + maxBackoff
        + ", jitter="
        + jitter
        + ", totalDeadline="
        + totalDeadline
        + ", maxQueueRetries="
        + maxQueueRetries
        + '}';
  }

  /** Builder of {@link SendRetryConfig}; every setter validates its argument. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private double multiplier = 2.0;
    private Duration maxBackoff = Duration.ofSeconds(2);
    private double jitter = 0.5;
    private Duration totalDeadline = Duration.ofSeconds(10);
    private int maxQueueRetries = 8;

    private Builder() {}

    /**
     * Sets the most immediate extra attempts after broker-side failures behind a live proxy.
     *
     * @param maxQueueRetries 0 (off) to 64
     * @return this builder
     */
    public Builder maxQueueRetries(int maxQueueRetries) {
      if (maxQueueRetries < 0 || maxQueueRetries > 64) {
        throw new IllegalArgumentException("maxQueueRetries must be 0..64, was " + maxQueueRetries);
      }
      this.maxQueueRetries = maxQueueRetries;
      return this;
    }

    /**
     * Sets the most attempts.
     *
     * @param maxAttempts 1 to 100
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts must be 1..100, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the first backoff.
     *
     * @param initialBackoff at least 1 ms
     * @return this builder
     */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = atLeastOneMilli("initialBackoff", initialBackoff);
      return this;
    }

    /**
     * Sets the backoff growth factor.
     *
     * @param multiplier 1 to 10
     * @return this builder
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
        throw new IllegalArgumentException("multiplier must be 1..10, was " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the backoff cap.
     *
     * @param maxBackoff at least 1 ms
     * @return this builder
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = atLeastOneMilli("maxBackoff", maxBackoff);
      return this;
    }

    /**
     * Sets the randomisation factor.
     *
     * @param jitter in [0, 1)
     * @return this builder
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0.0 && jitter < 1.0)) {
        throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the total deadline of one send.
     *
     * @param totalDeadline at least 1 ms
     * @return this builder
     */
    public Builder totalDeadline(Duration totalDeadline) {
      this.totalDeadline = atLeastOneMilli("totalDeadline", totalDeadline);
      return this;
    }

    /**
     * Builds the config.
     *
     * @return immutable config
     * @throws IllegalArgumentException when initialBackoff exceeds maxBackoff
     */
    public SendRetryConfig build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff (" + initialBackoff + ") must be <= maxBackoff (" + maxBackoff + ")");
      }
      return new SendRetryConfig(this);
    }

    private static Duration atLeastOneMilli(String name, Duration d) {
      Objects.requireNonNull(d, name + " must not be null");
      if (d.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be >= 1 ms, was " + d);
      }
      return d;
    }
  }
}
