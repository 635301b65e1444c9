package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code close()} with sends in flight: each ends SENT or STORED, none is rejected or lost. */
class GracefulCloseTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();

  private final FakeClientProducer fake = new FakeClientProducer();
  private final InMemoryFallbackStore store = new InMemoryFallbackStore(10_000);
  private final ExecutorService callers = Executors.newFixedThreadPool(4);
  private ReliableProducerImpl producer;

  @AfterEach
  void tearDown() {
    if (producer != null) {
      producer.close();
    }
    callers.shutdownNow();
  }

  private ReliableProducerImpl producer(Duration backoff, Duration drainTime) {
    ReliableProducerConfig config =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(10)
                    .initialBackoff(backoff)
                    .maxBackoff(backoff)
                    .totalDeadline(Duration.ofMinutes(30))
                    .build())
            .circuit(CircuitConfig.custom().enabled(false).build())
            .fallbackStore(store)
            .replay(ReplayConfig.custom().enabled(false).build())
            .closeDrainTime(drainTime)
            .build();
    producer = ReliableProducerImpl.create(config, PROVIDER, () -> fake);
    return producer;
  }

  private static ReliableMessage message(int i) {
    return ReliableMessage.builder("orders").body("m" + i).build();
  }

  @Test
  void close_storesEverySendWaitingOnABackoff_withoutWaitingForIt() throws Exception {
    fake.failEverySend(Status.UNAVAILABLE.asRuntimeException());
    ReliableProducerImpl p = producer(Duration.ofMinutes(10), Duration.ofMinutes(5));
    List<CompletableFuture<SendOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      futures.add(p.sendAsync(message(i)));
    }
    CompletableFuture<SendOutcome> sync =
        CompletableFuture.supplyAsync(() -> p.send(message(-1)), callers);
    // Every first attempt failed; each send now waits on a ten-minute backoff.
    await().atMost(Duration.ofSeconds(30)).until(() -> fake.calls.get() >= 101);
    assertThat(futures).noneMatch(CompletableFuture::isDone);

    p.close();

    assertThat(futures).allMatch(CompletableFuture::isDone);
    futures.add(sync);
    for (CompletableFuture<SendOutcome> f : futures) {
      SendOutcome o = f.get(10, TimeUnit.SECONDS);
      assertThat(o.status()).isEqualTo(SendStatus.STORED);
      assertThat(store.find(o.reliableId())).isPresent();
    }
    assertThat(store.count()).isEqualTo(101);
  }

  @Test
  void close_storesAttemptsTheBrokerNeverAnswers_whenTheDrainTimeRunsOut() throws Exception {
    for (int i = 0; i < 51; i++) {
      fake.thenHang();
    }
    ReliableProducerImpl p = producer(Duration.ofMillis(10), Duration.ofMillis(200));
    List<CompletableFuture<SendOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(p.sendAsync(message(i)));
    }
    CompletableFuture<SendOutcome> sync =
        CompletableFuture.supplyAsync(() -> p.send(message(-1)), callers);
    await().atMost(Duration.ofSeconds(30)).until(() -> fake.calls.get() >= 51);
    assertThat(futures).noneMatch(CompletableFuture::isDone);

    p.close();

    assertThat(futures).allMatch(CompletableFuture::isDone);
    futures.add(sync);
    for (CompletableFuture<SendOutcome> f : futures) {
      SendOutcome o = f.get(10, TimeUnit.SECONDS);
      assertThat(o.status()).isEqualTo(SendStatus.STORED);
      assertThat(store.find(o.reliableId())).isPresent();
    }
    assertThat(store.count()).isEqualTo(51);
  }

  @Test
  void closeDrainTime_isValidated_namingTheFieldAndTheLimit() {
    ReliableProducerConfig.Builder b =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"));
    assertThatThrownBy(() -> b.closeDrainTime(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("closeDrainTime must be 0..10 minutes");
    assertThatThrownBy(() -> b.closeDrainTime(Duration.ofMinutes(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("closeDrainTime");
    assertThat(b.build().closeDrainTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(b.closeDrainTime(Duration.ZERO).build().closeDrainTime()).isZero();
  }

  @Test
  void close_refusesNewSends_withTheClosedProducerException() throws Exception {
    ReliableProducerImpl p = producer(Duration.ofMillis(10), Duration.ofSeconds(5));
    CompletableFuture<SendOutcome> f = p.sendAsync(message(1));

    p.close();

    assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.SENT);
    assertThatThrownBy(() -> p.sendAsync(message(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> p.send(message(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(store.count()).isZero();
  }
}
