package io.reliablemq.producer.internal;

import java.util.concurrent.TimeUnit;

/**
 * A blocking rate limiter for one thread (the replayer): permits are spaced {@code 1/rate} apart,
 * with a burst of up to one second's worth after idleness. The rate can be lowered while the broker
 * throttles and raised again as it recovers.
 */
final class TokenBucket {
  private final int maxRate;
  private double rate;
  private long nextFreeNanos = System.nanoTime();

  TokenBucket(int maxRate) {
    this.maxRate = maxRate;
    this.rate = maxRate;
  }

  /** Blocks until a permit is free. */
  void acquire() throws InterruptedException {
    long now = System.nanoTime();
    long interval = (long) (TimeUnit.SECONDS.toNanos(1) / rate);
    long burstFloor = now - TimeUnit.SECONDS.toNanos(1);
    if (nextFreeNanos < burstFloor) {
      nextFreeNanos = burstFloor;
    }
    long wait = nextFreeNanos - now;
    nextFreeNanos += interval;
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** Halves the rate (at least 1 per second): the broker is throttling. */
  void slowDown() {
    rate = Math.max(1.0, rate / 2);
  }

  /** Recovers a tenth of the maximum rate per call, up to the maximum. */
  void speedUp() {
    rate = Math.min(maxRate, rate + maxRate / 10.0);
  }

  double rate() {
    return rate;
  }
}
