package io.reliablemq.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.ConsumerState;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.testsupport.FakeProxyPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The push consumer owns its reconnect: once the proxy listens again after an outage, a running
 * consumer gets a new client (the old one closed), and a waiting one connects without waiting out
 * its backoff. The clients are fakes; the proxy is a local port that opens and closes.
 */
class ConsumerReconnectTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final FakeProxyPort proxy = new FakeProxyPort();
  private final List<FakePushConsumer> built = new CopyOnWriteArrayList<>();

  @AfterEach
  void shut() {
    proxy.close();
  }

  private ReliableConsumerConfig config(Duration connectBackoff) {
    return ReliableConsumerConfig.custom(
            ClientSettings.custom()
                .endpoints(proxy.endpoints())
                .reconnectProbeInterval(Duration.ofMillis(100))
                .build(),
            "g")
        .subscribe("t", "*")
        .connectInitialBackoff(connectBackoff)
        .connectMaxBackoff(connectBackoff)
        .build();
  }

  private static IllegalStateException unreachable() {
    return new IllegalStateException(
        "Expected the service PushConsumerImpl-1 [FAILED] to be RUNNING",
        new RuntimeException(
            "Failed to fetch topics after 3 attempts",
            new ExecutionException(Status.UNAVAILABLE.asRuntimeException())));
  }

  @Test
  void runningConsumer_getsANewClientAndClosesTheOld_whenTheProxyListensAgainAfterAnOutage() {
    proxy.open();
    ReliableConsumerImpl.ClientFactory factory =
        (c, listener) -> {
          FakePushConsumer fake = new FakePushConsumer(listener);
          built.add(fake);
          return fake;
        };
    try (ReliableConsumerImpl consumer =
        ReliableConsumerImpl.sync(config(Duration.ofMillis(10)), m -> {}, factory)) {
      assertThat(consumer.state()).isEqualTo(ConsumerState.RUNNING);
      assertThat(built).hasSize(1);

      proxy.shut();
      // The fault happened: the watcher saw the proxy gone.
      await().atMost(TIMEOUT).until(consumer::endpointDown);
      assertThat(consumer.clientReplacements()).isZero();

      proxy.open();

      await().atMost(TIMEOUT).until(() -> consumer.clientReplacements() == 1);
      assertThat(built).hasSize(2);
      await().atMost(TIMEOUT).until(() -> built.get(0).closed.get());
      assertThat(built.get(1).closed.get()).isFalse();
      assertThat(built.get(1).listener).isSameAs(built.get(0).listener);
      assertThat(consumer.state()).isEqualTo(ConsumerState.RUNNING);
    }
    assertThat(built.get(1).closed.get()).isTrue();
  }

  @Test
  void waitingConsumer_connectsWithoutWaitingOutItsBackoff_whenTheProxyListens() {
    AtomicInteger attempts = new AtomicInteger();
    AtomicBoolean proxyUp = new AtomicBoolean();
    ReliableConsumerImpl.ClientFactory factory =
        (c, listener) -> {
          attempts.incrementAndGet();
          if (!proxyUp.get()) {
            throw unreachable();
          }
          FakePushConsumer fake = new FakePushConsumer(listener);
          built.add(fake);
          return fake;
        };
    // A backoff longer than the test: only the watcher can bring the next attempt forward.
    try (ReliableConsumerImpl consumer =
        ReliableConsumerImpl.sync(config(Duration.ofMinutes(4)), m -> {}, factory)) {
      assertThat(consumer.state()).isEqualTo(ConsumerState.WAITING);
      assertThat(attempts.get()).isEqualTo(1);

      proxyUp.set(true);
      proxy.open();

      await().atMost(TIMEOUT).until(() -> consumer.state() == ConsumerState.RUNNING);
      assertThat(attempts.get()).isEqualTo(2);
      assertThat(built).hasSize(1);
    }
    assertThat(built.get(0).closed.get()).isTrue();
  }
}
