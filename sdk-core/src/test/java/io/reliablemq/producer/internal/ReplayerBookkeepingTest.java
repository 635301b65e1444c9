package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreContractTest.MutableClock;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a replay round writes into a real H2 store for the entries it tried and those it did not.
 */
class ReplayerBookkeepingTest {
  @TempDir Path dir;

  // Fixed unless a test moves it: a lease never expires on its own here, so an entry claimable by
  // another owner after the round was released by the round.
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private JdbcFallbackStore store;
  private Replayer replayer;

  @BeforeEach
  void open() {
    store =
        JdbcFallbackStore.h2(
            FallbackStoreConfig.custom().clock(clock).directory(dir.resolve("store")).build());
  }

  @AfterEach
  void close() {
    if (replayer != null) {
      replayer.stop(Duration.ofSeconds(10));
    }
    store.close();
  }

  @Test
  void failedRound_leavesTheAttemptsAndLastErrorOfEveryEntryItNeverTriedUnchanged() {
    List<StoredEntry> entries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      entries.add(store.append(message("g-" + i).messageGroup("G").build(), false));
    }
    for (int i = 0; i < 5; i++) {
      entries.add(store.append(message("p-" + i).build(), false));
    }
    StoredEntry head = entries.get(0);
    List<String> sent = new CopyOnWriteArrayList<>();
    // The group's head is sent first and times out: the round stops before sending anything else
    // (its group waits for the head; then the broker counts as unreachable), and backs off.
    replayer =
        new Replayer(
            store,
            ReplayConfig.custom()
                .batchSize(100)
                .initialBackoff(Duration.ofMinutes(10))
                .maxBackoff(Duration.ofMinutes(10))
                .build(),
            e -> {
              sent.add(e.id());
              return CompletableFuture.failedFuture(new TimeoutException("broker timed out"));
            },
            "replayer-1");
    replayer.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> !sent.isEmpty());
    // Lets the round finish (it ends in its backoff) and joins the thread.
    replayer.stop(Duration.ofSeconds(30));
    replayer = null;

    assertThat(sent).containsExactly(head.id());
    StoredEntry tried = store.find(head.id()).orElseThrow();
    assertThat(tried.attempts()).isEqualTo(1);
    assertThat(tried.lastError()).contains("TimeoutException: broker timed out");
    for (StoredEntry e : entries.subList(1, entries.size())) {
      StoredEntry after = store.find(e.id()).orElseThrow();
      assertThat(after.attempts()).as("attempts of untried %s", e.id()).isZero();
      assertThat(after.lastError()).as("last error of untried %s", e.id()).isEmpty();
      assertThat(after.state()).isEqualTo(EntryState.PENDING);
    }
    // Every lease was released by the round, none expired: the clock has not moved.
    assertThat(store.claim("replayer-2", 100, Duration.ofMinutes(1)))
        .extracting(StoredEntry::id)
        .containsExactlyElementsOf(entries.stream().map(StoredEntry::id).toList());
  }

  private static ReliableMessage.Builder message(String id) {
    return ReliableMessage.builder("orders").id(id).body("body of " + id);
  }
}
