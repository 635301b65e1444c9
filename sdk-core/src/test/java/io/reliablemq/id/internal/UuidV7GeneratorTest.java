package io.reliablemq.id.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV7GeneratorTest {

  @Test
  void ids_areVersion7_withTheClocksTimestamp() {
    Instant now = Instant.parse("2026-11-24T10:00:00Z");
    UuidV7Generator generator = new UuidV7Generator(Clock.fixed(now, ZoneOffset.UTC));

    UUID id = UUID.fromString(generator.nextId());

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(now.toEpochMilli());
  }

  @Test
  void ids_areUniqueAndStrictlyOrdered_evenWithAFrozenClock() {
    UuidV7Generator generator =
        new UuidV7Generator(Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(generator.nextId());
    }
    assertThat(new HashSet<>(ids)).hasSize(ids.size());
    assertThat(ids).isSorted();
  }

  @Test
  void ids_areUnique_acrossThreads() throws InterruptedException {
    UuidV7Generator generator = new UuidV7Generator(Clock.systemUTC());
    Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 5_000; i++) {
                  ids.add(generator.nextId());
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(ids).hasSize(20_000);
  }
}
