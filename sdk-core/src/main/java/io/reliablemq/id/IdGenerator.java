package io.reliablemq.id;

import io.reliablemq.id.internal.UuidV7Generator;
import java.time.Clock;

/**
 * Creates logical message ids. The default, {@link #uuidV7(Clock)}, makes RFC 9562 version 7 UUIDs:
 * time-ordered (so stores and logs sort by creation), unique across processes without coordination,
 * and monotonic within one generator.
 */
@FunctionalInterface
public interface IdGenerator {
  /**
   * A new id, never returned before by this generator.
   *
   * @return the id, 1-128 characters of {@code [A-Za-z0-9_.:-]}
   */
  String nextId();

  /**
   * The default generator: UUIDv7 over the given clock.
   *
   * @param clock the time source of the id's timestamp
   * @return a thread-safe generator
   */
  static IdGenerator uuidV7(Clock clock) {
    return new UuidV7Generator(clock);
  }
}
