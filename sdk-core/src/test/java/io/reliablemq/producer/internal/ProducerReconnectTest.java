package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.testsupport.FakeProxyPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The producer owns the reconnect: a client cut off by the broker's outage keeps failing fast (the
 * 5.2.0 client waits out gRPC's reconnect backoff); once the proxy listens again the producer
 * replaces it, closes the old one, and replay and circuit recover without an application send. The
 * clients are fakes; the proxy is a local port that opens and closes.
 */
class ProducerReconnectTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final FakeProxyPort proxy = new FakeProxyPort();
  private final InMemoryFallbackStore store = new InMemoryFallbackStore(1000);
  // The client built at start, cut off for good: it fails every send, as the 5.2.0 client does
  // until its reconnect backoff ends, whether or not the proxy is back.
  private final FakeClientProducer cutOff =
      new FakeClientProducer().failEverySend(Status.UNAVAILABLE.asRuntimeException());
  private final List<FakeClientProducer> built = new CopyOnWriteArrayList<>();
  private ReliableProducerImpl producer;

  @AfterEach
  void close() {
    if (producer != null) {
      producer.close();
    }
    proxy.close();
  }

  private ReliableProducerImpl producer(boolean withStore, Duration probeInterval) {
    return producer(withStore, probeInterval, 1);
  }

  /** The first {@code cutOffClients} clients built fail every send; later ones work. */
  private ReliableProducerImpl producer(
      boolean withStore, Duration probeInterval, int cutOffClients) {
    ReliableProducerConfig.Builder b =
        ReliableProducerConfig.custom(
                ClientSettings.custom()
                    .endpoints(proxy.endpoints())
                    .reconnectProbeInterval(probeInterval)
                    .build())
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .circuit(
                // The circuit counts sends: one send that failed both attempts opens it.
                CircuitConfig.custom()
                    .slidingWindowSize(1)
                    .minimumNumberOfCalls(1)
                    // Longer than any test: only the SDK's own hooks may move the circuit.
                    .waitInOpenState(Duration.ofMinutes(10))
                    .build())
            .replay(
                ReplayConfig.custom()
                    .idlePoll(Duration.ofMillis(20))
                    // Longer than any test: only a wake-up ends the replayer's backoff.
                    .initialBackoff(Duration.ofMinutes(5))
                    .maxBackoff(Duration.ofMinutes(5))
                    .build());
    if (withStore) {
      b.fallbackStore(store);
    }
    producer =
        ReliableProducerImpl.create(
            b.build(),
            PROVIDER,
            () -> {
              if (built.isEmpty()) {
                built.add(cutOff);
                return cutOff;
              }
              if (built.size() < cutOffClients) {
                // Half-ready: the port listens before the proxy serves, so the new channel fails
                // its calls with UNAVAILABLE as well.
                FakeClientProducer stillCutOff =
                    new FakeClientProducer().failEverySend(Status.UNAVAILABLE.asRuntimeException());
                built.add(stillCutOff);
                return stillCutOff;
              }
              FakeClientProducer fresh = new FakeClientProducer();
              built.add(fresh);
              return fresh;
            });
    return producer;
  }

  private static ReliableMessage message(String body) {
    return ReliableMessage.builder("orders").body(body).build();
  }

  @Test
  void client_isReplacedAndTheOldOneClosed_thenTheStoreDrains_whenTheProxyListensAgain() {
    ReliableProducerImpl p = producer(true, Duration.ofMillis(100));
    assertThat(p.send(message("1")).status()).isEqualTo(SendStatus.STORED);
    assertThat(p.send(message("2")).status()).isEqualTo(SendStatus.STORED);
    // The fault happened: the circuit is open and the replayer failed on the cut-off client.
    assertThat(p.circuitState()).isEqualTo(CircuitState.OPEN);
    await().atMost(TIMEOUT).until(() -> cutOff.calls.get() >= 3);
    assertThat(store.count()).isEqualTo(2);
    assertThat(p.clientReplacements()).isZero();
    assertThat(cutOff.closes.get()).isZero();

    proxy.open();

    await().atMost(TIMEOUT).until(() -> store.count() == 0);
    assertThat(p.clientReplacements()).isEqualTo(1);
    assertThat(built).hasSize(2);
    await().atMost(TIMEOUT).until(() -> cutOff.closes.get() == 1);
    assertThat(built.get(1).sent).hasSize(2);
    assertThat(built.get(1).closes.get()).isZero();
    // A replayed entry closed the circuit; the application sent nothing meanwhile.
    assertThat(p.circuitState()).isEqualTo(CircuitState.CLOSED);
    assertThat(p.send(message("3")).status()).isEqualTo(SendStatus.SENT);
  }

  @Test
  void client_isReplacedAgain_whenTheFirstReplacementStillCannotSend() {
    // A proxy that listens before it serves: the first new client times out too.
    ReliableProducerImpl p = producer(true, Duration.ofMillis(100), 2);
    assertThat(p.send(message("1")).status()).isEqualTo(SendStatus.STORED);
    assertThat(p.circuitState()).isEqualTo(CircuitState.OPEN);
    await().atMost(TIMEOUT).until(() -> cutOff.calls.get() >= 3);

    proxy.open();

    await().atMost(TIMEOUT).until(() -> store.count() == 0);
    assertThat(p.clientReplacements()).isEqualTo(2);
    assertThat(built).hasSize(3);
    await().atMost(TIMEOUT).until(() -> built.get(1).closes.get() == 1);
    assertThat(cutOff.closes.get()).isEqualTo(1);
    assertThat(built.get(1).calls.get()).isPositive();
    assertThat(built.get(2).sent).hasSize(1);
    assertThat(p.circuitState()).isEqualTo(CircuitState.CLOSED);
  }

  static List<Throwable> answersOfALiveProxy() {
    return List.of(
        // One broker group dead behind a live proxy: the proxy answers with an internal error.
        new org.apache.rocketmq.client.java.exception.InternalErrorException(
            500, "r", "connect to broker-b failed"),
        // A slow broker, or a loaded machine whose timers fire late.
        new java.util.concurrent.TimeoutException("attempt deadline"),
        Status.DEADLINE_EXCEEDED.asRuntimeException());
  }

  @ParameterizedTest
  @MethodSource("answersOfALiveProxy")
  void client_isNotReplaced_whenTheListeningProxyIsReachable(Throwable failure) {
    // Replacing the client would not help, and would cancel every send in flight on it.
    proxy.open();
    cutOff.failEverySend(failure);
    ReliableProducerImpl p = producer(true, Duration.ofMillis(50));
    assertThat(p.send(message("1")).status()).isEqualTo(SendStatus.STORED);
    assertThat(p.circuitState()).isEqualTo(CircuitState.OPEN);
    long before = proxy.accepted();
    // The watcher looked at the listening proxy several times while the circuit was open.
    await().atMost(TIMEOUT).until(() -> proxy.accepted() >= before + 5);
    await().atMost(TIMEOUT).until(() -> cutOff.calls.get() >= 3);

    assertThat(p.clientReplacements()).isZero();
    assertThat(built).hasSize(1);
    assertThat(cutOff.closes.get()).isZero();
  }

  @Test
  void idleProducer_leavesTheOpenCircuit_onceTheProxyListensAgain() {
    ReliableProducerImpl p = producer(false, Duration.ofMillis(100));
    assertThatThrownBy(() -> p.send(message("1"))).isInstanceOf(SendFailedException.class);
    assertThat(p.circuitState()).isEqualTo(CircuitState.OPEN);
    // The fault happened as the watcher sees it: only a proxy seen down and back half-opens.
    await().atMost(TIMEOUT).until(p::sawProxyDown);

    proxy.open();

    // No send after the outage: the watcher replaced the client and let the circuit probe.
    await().atMost(TIMEOUT).until(() -> p.circuitState() != CircuitState.OPEN);
    assertThat(p.circuitState()).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(p.clientReplacements()).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> cutOff.closes.get() == 1);
    assertThat(p.send(message("2")).status()).isEqualTo(SendStatus.SENT);
  }

  @Test
  void replaySuccess_closesTheOpenCircuit_withoutAnApplicationSend() {
    // No watcher: only the replayer's acknowledged entry may close the circuit here.
    FakeClientProducer flaky = cutOff;
    ReliableProducerImpl p = producer(true, Duration.ZERO);
    assertThat(p.send(message("1")).status()).isEqualTo(SendStatus.STORED);
    assertThat(p.send(message("2")).status()).isEqualTo(SendStatus.STORED);
    assertThat(p.circuitState()).isEqualTo(CircuitState.OPEN);
    await().atMost(TIMEOUT).until(() -> flaky.calls.get() >= 3);

    flaky.failEverySend(null);
    p.fallback().orElseThrow().replayNow();

    await().atMost(TIMEOUT).until(() -> store.count() == 0);
    assertThat(p.circuitState()).isEqualTo(CircuitState.CLOSED);
    assertThat(p.clientReplacements()).isZero();
  }
}
