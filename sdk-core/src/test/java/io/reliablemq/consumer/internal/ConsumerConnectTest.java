package io.reliablemq.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.ReliableMQException;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.ConsumerState;
import io.reliablemq.consumer.ReliableConsumerConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.Test;

/**
 * A consumer created while the broker is unreachable: it waits and connects in the background,
 * fails fast on errors that would not heal, and close() ends the attempts. The client is a fake.
 */
class ConsumerConnectTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static ReliableConsumerConfig config() {
    return ReliableConsumerConfig.custom(ClientSettings.of("127.0.0.1:1"), "g")
        .subscribe("t", "*")
        .connectInitialBackoff(Duration.ofMillis(1))
        .connectMaxBackoff(Duration.ofMillis(5))
        .build();
  }

  /** What the 5.2.0 client's build throws when no proxy answers (measured). */
  private static IllegalStateException unreachable() {
    return new IllegalStateException(
        "Expected the service PushConsumerImpl-1 [FAILED] to be RUNNING",
        new RuntimeException(
            "Failed to fetch topics after 3 attempts",
            new ExecutionException(Status.UNAVAILABLE.asRuntimeException())));
  }

  @Test
  void start_returnsWaiting_thenRunsOnceTheClientStarts_whenTheBrokerIsUnreachableAtFirst() {
    AtomicInteger attempts = new AtomicInteger();
    FakePushConsumer fake = new FakePushConsumer();
    ReliableConsumerImpl.ClientFactory factory =
        (c, listener) -> {
          if (attempts.incrementAndGet() <= 3) {
            throw unreachable();
          }
          fake.listener = listener;
          return fake;
        };
    try (ReliableConsumerImpl consumer = ReliableConsumerImpl.sync(config(), m -> {}, factory)) {
      assertThat(attempts.get()).isGreaterThanOrEqualTo(1);

      await().atMost(TIMEOUT).until(() -> consumer.state() == ConsumerState.RUNNING);
      assertThat(attempts.get()).isEqualTo(4);
      assertThat(fake.listener).isNotNull();
    }
    assertThat(fake.closed.get()).isTrue();
  }

  @Test
  void start_waitsWithoutError_whenTheFirstAttemptFails() {
    AtomicInteger attempts = new AtomicInteger();
    ReliableConsumerImpl.ClientFactory factory =
        (c, listener) -> {
          attempts.incrementAndGet();
          throw unreachable();
        };
    try (ReliableConsumerImpl consumer = ReliableConsumerImpl.sync(config(), m -> {}, factory)) {
      assertThat(consumer.state()).isEqualTo(ConsumerState.WAITING);
      await().atMost(TIMEOUT).until(() -> attempts.get() >= 3);
      assertThat(consumer.state()).isEqualTo(ConsumerState.WAITING);
    }
  }

  @Test
  void start_failsFast_whenTheClientRejectsTheSettings() {
    AtomicInteger attempts = new AtomicInteger();
    ReliableConsumerImpl.ClientFactory factory =
        (c, listener) -> {
          attempts.incrementAndGet();
          throw new IllegalArgumentException("consumptionThreadCount should be positive");
        };

    assertThatThrownBy(() -> ReliableConsumerImpl.sync(config(), m -> {}, factory))
        .isInstanceOf(ReliableMQException.class)
        .hasMessageContaining("group g")
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(attempts.get()).isEqualTo(1);
  }

  @Test
  void close_stopsTheConnectAttempts_whileWaiting() {
    AtomicInteger attempts = new AtomicInteger();
    ReliableConsumerImpl.ClientFactory factory =
        (c, listener) -> {
          attempts.incrementAndGet();
          throw unreachable();
        };
    ReliableConsumerImpl consumer = ReliableConsumerImpl.sync(config(), m -> {}, factory);
    await().atMost(TIMEOUT).until(() -> attempts.get() >= 3);

    consumer.close();

    assertThat(consumer.state()).isEqualTo(ConsumerState.CLOSED);
    int atClose = attempts.get();
    // close() waited for the attempt thread to end: nothing may try again afterwards.
    await().during(Duration.ofMillis(200)).atMost(TIMEOUT).until(() -> attempts.get() == atClose);
  }

  @Test
  void close_closesTheClient_thatAnAttemptRunningDuringCloseStarts() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch inSecondAttempt = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakePushConsumer fake = new FakePushConsumer();
    ReliableConsumerImpl.ClientFactory factory =
        (c, listener) -> {
          if (attempts.incrementAndGet() == 1) {
            throw unreachable();
          }
          inSecondAttempt.countDown();
          // Like a client start that does not answer interrupts: close() cannot cut it short.
          boolean interrupted = false;
          while (true) {
            try {
              release.await();
              break;
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
          return fake;
        };
    ReliableConsumerImpl consumer = ReliableConsumerImpl.sync(config(), m -> {}, factory);
    assertThat(inSecondAttempt.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    AtomicBoolean closeReturned = new AtomicBoolean();
    Thread closer =
        new Thread(
            () -> {
              consumer.close();
              closeReturned.set(true);
            });
    closer.start();
    await().atMost(TIMEOUT).until(() -> consumer.state() == ConsumerState.CLOSED);
    assertThat(closeReturned.get()).isFalse();

    release.countDown();
    closer.join(TIMEOUT.toMillis());

    assertThat(closeReturned.get()).isTrue();
    assertThat(consumer.state()).isEqualTo(ConsumerState.CLOSED);
    await().atMost(TIMEOUT).until(fake.closed::get);
  }
}
