package io.reliablemq.id.internal;

import io.reliablemq.id.IdGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RFC 9562 UUIDv7: 48-bit Unix milliseconds, 12-bit counter (method 1, "fixed-length dedicated
 * counter"), 62 random bits. The timestamp+counter pair is kept strictly increasing in one atomic
 * long, so ids from one generator sort in creation order even when the clock steps back.
 */
public final class UuidV7Generator implements IdGenerator {
  private static final long COUNTER_BITS = 12;
  private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** Last issued (millis << 12 | counter). */
  private final AtomicLong last = new AtomicLong();

  /**
   * Creates a generator.
   *
   * @param clock time source
   */
  public UuidV7Generator(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String nextId() {
    long millis = clock.millis();
    long stamp;
    long prev;
    do {
      prev = last.get();
      long candidate = millis << COUNTER_BITS;
      // Same or earlier millisecond: count up; the counter's overflow borrows the next millisecond.
      stamp = candidate > prev ? candidate : prev + 1;
    } while (!last.compareAndSet(prev, stamp));
    long ms = stamp >>> COUNTER_BITS;
    long counter = stamp & COUNTER_MASK;
    long msb = (ms << 16) | (0x7L << 12) | counter;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
