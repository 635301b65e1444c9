package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure of {@code sendAsync} during an outage: a client that fails every send retryably (a
 * dead broker), a real H2 store of 10 MiB, and 100,000 sends of 64 KiB. The store's room is
 * reserved when a send is accepted, so exactly the sends that fit are accepted (and end STORED),
 * the rest fail at once with {@link FallbackStoreFullException}, and the heap holds no more than
 * the store's capacity of pending bodies.
 */
class AsyncBackpressureTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
  private static final int SENDS = 100_000;
  private static final int BODY = 64 * 1024;
  private static final long CAPACITY = 10L * 1024 * 1024;
  private static final long FITS = CAPACITY / BODY; // 160

  @TempDir Path dir;

  @Test
  void sendAsync_failsFastWhenTheStoreIsFull_andKeepsTheHeapBounded_whileTheBrokerIsDown()
      throws Exception {
    FakeClientProducer fake =
        new FakeClientProducer().failEverySend(Status.UNAVAILABLE.asRuntimeException());
    try (JdbcFallbackStore store =
        JdbcFallbackStore.h2(
            FallbackStoreConfig.custom()
                .directory(dir)
                .maxRows(1_000_000)
                .maxBytes(CAPACITY)
                .build())) {
      ReliableProducerConfig config =
          ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
              .retry(
                  SendRetryConfig.custom()
                      .maxAttempts(3)
                      .initialBackoff(Duration.ofSeconds(1))
                      .maxBackoff(Duration.ofSeconds(1))
                      .totalDeadline(Duration.ofSeconds(30))
                      .build())
              .circuit(CircuitConfig.custom().enabled(false).build())
              .fallbackStore(store)
              .replay(ReplayConfig.custom().enabled(false).build())
              .build();
      byte[] body = new byte[BODY];
      List<CompletableFuture<SendOutcome>> accepted = new ArrayList<>();
      Map<String, Integer> failedAtOnce = new HashMap<>();
      long baseline = usedHeapAfterGc();
      long peak = 0;
      try (ReliableProducerImpl producer =
          ReliableProducerImpl.create(config, PROVIDER, () -> fake)) {
        for (int i = 0; i < SENDS; i++) {
          CompletableFuture<SendOutcome> f =
              producer.sendAsync(ReliableMessage.builder("orders").body(body).build());
          if (f.isCompletedExceptionally()) {
            failedAtOnce.merge(causeOf(f).getClass().getSimpleName(), 1, Integer::sum);
          } else {
            accepted.add(f);
          }
          if ((i + 1) % (SENDS / 4) == 0) {
            peak = Math.max(peak, usedHeapAfterGc() - baseline);
          }
        }
        long accepting = accepted.stream().filter(f -> !f.isDone()).count();
        System.out.printf(
            "AsyncBackpressureTest: %d sendAsync of %d KiB against %d MiB: accepted %d (%d still"
                + " pending after the burst), failed at once %s; used heap after GC above the"
                + " baseline, peak of 4 samples during the burst: %.1f MiB%n",
            SENDS,
            BODY / 1024,
            CAPACITY >> 20,
            accepted.size(),
            accepting,
            failedAtOnce,
            peak / 1048576.0);

        assertThat(failedAtOnce).containsOnlyKeys("FallbackStoreFullException");
        assertThat(failedAtOnce.get("FallbackStoreFullException")).isEqualTo(SENDS - (int) FITS);
        assertThat(accepted).hasSize((int) FITS);
        // The bodies held are the store's capacity (twice: the message and the client's copy),
        // not the burst's 6 GiB.
        assertThat(peak).isLessThan(96L * 1024 * 1024);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> accepted.stream().allMatch(CompletableFuture::isDone));
        for (CompletableFuture<SendOutcome> f : accepted) {
          assertThat(f.join().status()).isEqualTo(SendStatus.STORED);
        }
      }
      assertThat(store.count()).isEqualTo(FITS);
    }
  }

  private static Throwable causeOf(CompletableFuture<?> f) {
    try {
      f.join();
      throw new AssertionError("not failed");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  private static long usedHeapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
