package io.reliablemq.producer;

import java.time.Duration;
import java.util.Objects;

/**
 * The outage detector in front of the broker (a resilience4j circuit breaker). Over the last {@link
 * #slidingWindowSize()} attempts (once at least {@link #minimumNumberOfCalls()} were made), a share
 * of retryable failures at or above {@link #failureRateThreshold()} percent opens the circuit:
 * sends then go straight to the fallback store (about one local commit) instead of waiting for
 * request timeouts. After {@link #waitInOpenState()} a few probe sends ({@link
 * #permittedCallsInHalfOpenState()}) decide whether it closes again. Non-retryable answers (bad
 * request, topic missing) say nothing about an outage and are not counted.
 */
public final class CircuitConfig {
  private static final CircuitConfig DEFAULTS = custom().build();

  private final boolean enabled;
  private final float failureRateThreshold;
  private final int slidingWindowSize;
  private final int minimumNumberOfCalls;
  private final Duration waitInOpenState;
  private final int permittedCallsInHalfOpenState;

  private CircuitConfig(Builder b) {
    this.enabled = b.enabled;
    this.failureRateThreshold = b.failureRateThreshold;
    this.slidingWindowSize = b.slidingWindowSize;
    this.minimumNumberOfCalls = b.minimumNumberOfCalls;
    this.waitInOpenState = b.waitInOpenState;
    this.permittedCallsInHalfOpenState = b.permittedCallsInHalfOpenState;
  }

  /**
   * Defaults: 50 % of the last 20 attempts (at least 5), 5 s open, 3 probes.
   *
   * @return the defaults
   */
  public static CircuitConfig ofDefaults() {
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
   * Whether the circuit is used at all.
   *
   * @return true by default
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Failure share that opens the circuit.
   *
   * @return percent, in (0, 100]
   */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /**
   * Attempts the failure share is computed over.
   *
   * @return the window size
   */
  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  /**
   * Attempts needed before the share counts.
   *
   * @return the minimum
   */
  public int minimumNumberOfCalls() {
    return minimumNumberOfCalls;
  }

  /**
   * How long the circuit stays open before probing.
   *
   * @return the duration
   */
  public Duration waitInOpenState() {
    return waitInOpenState;
  }

  /**
   * Probe attempts while half open.
   *
   * @return the count
   */
  public int permittedCallsInHalfOpenState() {
    return permittedCallsInHalfOpenState;
  }

  /** Builder of {@link CircuitConfig}. */
  public static final class Builder {
    private boolean enabled = true;
    private float failureRateThreshold = 50f;
    private int slidingWindowSize = 20;
    private int minimumNumberOfCalls = 5;
    private Duration waitInOpenState = Duration.ofSeconds(5);
    private int permittedCallsInHalfOpenState = 3;

    private Builder() {}

    /**
     * Turns the circuit on or off.
     *
     * @param enabled false to always attempt the broker
     * @return this builder
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Sets the failure share that opens the circuit.
     *
     * @param percent in (0, 100]
     * @return this builder
     */
    public Builder failureRateThreshold(float percent) {
      if (!(percent > 0f && percent <= 100f)) {
        throw new IllegalArgumentException(
            "failureRateThreshold must be in (0, 100], was " + percent);
      }
      this.failureRateThreshold = percent;
      return this;
    }

    /**
     * Sets the window size.
     *
     * @param size 1 to 10000
     * @return this builder
     */
    public Builder slidingWindowSize(int size) {
      if (size < 1 || size > 10_000) {
        throw new IllegalArgumentException("slidingWindowSize must be 1..10000, was " + size);
      }
      this.slidingWindowSize = size;
      return this;
    }

    /**
     * Sets the minimum attempts before the share counts.
     *
     * @param calls 1 to 10000
     * @return this builder
     */
    public Builder minimumNumberOfCalls(int calls) {
      if (calls < 1 || calls > 10_000) {
        throw new IllegalArgumentException("minimumNumberOfCalls must be 1..10000, was " + calls);
      }
      this.minimumNumberOfCalls = calls;
      return this;
    }

    /**
     * Sets how long the circuit stays open.
     *
     * @param wait at least 1 ms
     * @return this builder
     */
    public Builder waitInOpenState(Duration wait) {
      Objects.requireNonNull(wait, "waitInOpenState must not be null");
      if (wait.toMillis() < 1) {
        throw new IllegalArgumentException("waitInOpenState must be >= 1 ms, was " + wait);
      }
      this.waitInOpenState = wait;
      return this;
    }

    /**
     * Sets the probe attempts while half open.
     *
     * @param calls 1 to 1000
     * @return this builder
     */
    public Builder permittedCallsInHalfOpenState(int calls) {
      if (calls < 1 || calls > 1000) {
        throw new IllegalArgumentException(
            "permittedCallsInHalfOpenState must be 1..1000, was " + calls);
      }
      this.permittedCallsInHalfOpenState = calls;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return immutable config
     */
    public CircuitConfig build() {
      return new CircuitConfig(this);
    }
  }
}
