package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.message.ReliableMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplayerWindowTest {
  private final ExecutorService broker = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    broker.shutdownNow();
  }

  @Test
  void replay_keepsInFlightBodiesUnderTheByteCap_andDeletesEveryAcknowledgedEntry()
      throws Exception {
    InMemoryFallbackStore store = new InMemoryFallbackStore(1000);
    int entries = 40;
    int body = 1024 * 1024;
    for (int i = 0; i < entries; i++) {
      store.append(ReliableMessage.builder("t").body(new byte[body]).id("big-" + i).build(), false);
    }
    AtomicLong inFlight = new AtomicLong();
    AtomicLong maxInFlight = new AtomicLong();
    AtomicInteger sent = new AtomicInteger();
    Replayer replayer =
        new Replayer(
            store,
            ReplayConfig.custom()
                .maxRatePerSecond(1_000_000)
                .idlePoll(Duration.ofMillis(10))
                .build(),
            (StoredEntry e) -> {
              long now = inFlight.addAndGet(e.message().bodyLength());
              maxInFlight.accumulateAndGet(now, Math::max);
              sent.incrementAndGet();
              // Acknowledged later, from another thread, like the client's callbacks.
              return CompletableFuture.supplyAsync(
                  () -> {
                    inFlight.addAndGet(-e.message().bodyLength());
                    return "ok";
                  },
                  CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS, broker));
            },
            "owner");
    replayer.start();
    try {
      await("the replayer to empty the store")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> store.count() == 0);
    } finally {
      replayer.stop(Duration.ofSeconds(10));
    }

    assertThat(store.count()).isZero();
    assertThat(sent.get()).isEqualTo(entries);
    assertThat(maxInFlight.get()).isPositive().isLessThanOrEqualTo(Replayer.WINDOW_BYTES);
  }
}
