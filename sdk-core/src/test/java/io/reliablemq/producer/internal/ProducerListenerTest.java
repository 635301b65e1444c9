package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.ReliableProducerListener;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.java.exception.NotFoundException;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ReliableProducerListener}: what is told when, and that a listener cannot break a send. */
class ProducerListenerTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final FakeClientProducer fake = new FakeClientProducer();
  private final Recorder recorder = new Recorder();
  private ReliableProducerImpl producer;

  @AfterEach
  void close() {
    if (producer != null) {
      producer.close();
    }
  }

  /** Records every callback as one line. */
  private static final class Recorder implements ReliableProducerListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onSent(SendOutcome outcome) {
      events.add("sent " + outcome.reliableId());
    }

    @Override
    public void onStored(SendOutcome outcome) {
      events.add("stored " + outcome.reliableId());
    }

    @Override
    public void onFailed(ReliableMessage message, RuntimeException error) {
      events.add("failed " + message.id().orElse("?") + " " + error.getClass().getSimpleName());
    }

    @Override
    public void onReplayed(StoredEntry entry) {
      events.add("replayed " + entry.id());
    }

    @Override
    public void onCircuitTransition(CircuitState from, CircuitState to) {
      events.add("circuit " + from + "->" + to);
    }
  }

  /** Throws from every callback: it must change nothing. */
  private static final class Throwing implements ReliableProducerListener {
    @Override
    public void onSent(SendOutcome outcome) {
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void onStored(SendOutcome outcome) {
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void onFailed(ReliableMessage message, RuntimeException error) {
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void onReplayed(StoredEntry entry) {
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void onCircuitTransition(CircuitState from, CircuitState to) {
      throw new IllegalStateException("listener bug");
    }
  }

  private ReliableProducerImpl producer(
      InMemoryFallbackStore store, boolean replay, CircuitConfig circuit) {
    ReliableProducerConfig.Builder b =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .circuit(circuit)
            // Registered first, so every later listener is reached past its exceptions.
            .listener(new Throwing())
            .listener(recorder)
            .replay(
                ReplayConfig.custom()
                    .enabled(replay)
                    .idlePoll(Duration.ofMillis(20))
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .build());
    if (store != null) {
      b.fallbackStore(store);
    }
    producer = ReliableProducerImpl.create(b.build(), PROVIDER, () -> fake);
    return producer;
  }

  private static ReliableMessage message(String body) {
    return ReliableMessage.builder("orders").body(body).build();
  }

  private static CircuitConfig noCircuit() {
    return CircuitConfig.custom().enabled(false).build();
  }

  @Test
  void toldOfSentStoredAndReplayed_pastAThrowingListener() {
    InMemoryFallbackStore store = new InMemoryFallbackStore(100);
    ReliableProducerImpl p = producer(store, true, noCircuit());

    SendOutcome sent = p.send(message("up"));
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException());
    SendOutcome stored = p.send(message("down"));

    assertThat(sent.status()).isEqualTo(SendStatus.SENT);
    assertThat(stored.status()).isEqualTo(SendStatus.STORED);
    await().atMost(TIMEOUT).until(() -> store.count() == 0);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(recorder.events)
                    .containsExactly(
                        "sent " + sent.reliableId(),
                        "stored " + stored.reliableId(),
                        "replayed " + stored.reliableId()));
  }

  @Test
  void toldOfAFailedSend_whoseCallerGetsTheSameException() {
    ReliableProducerImpl p = producer(null, false, noCircuit());
    fake.thenFail(new NotFoundException(40402, "r", "no topic"));

    assertThatThrownBy(() -> p.send(message("x"))).isInstanceOf(SendFailedException.class);

    assertThat(recorder.events).hasSize(1);
    assertThat(recorder.events.get(0)).startsWith("failed ").endsWith(" SendFailedException");
  }

  @Test
  void toldOfAStoreThatIsFull() {
    InMemoryFallbackStore tiny = new InMemoryFallbackStore(1);
    for (int i = 0; i < 4; i++) {
      fake.thenFail(Status.UNAVAILABLE.asRuntimeException());
    }
    ReliableProducerImpl p = producer(tiny, false, noCircuit());
    p.send(message("1"));

    assertThatThrownBy(() -> p.send(message("2"))).isInstanceOf(FallbackStoreFullException.class);

    assertThat(recorder.events).hasSize(2);
    assertThat(recorder.events.get(1)).endsWith(" FallbackStoreFullException");
  }

  @Test
  void toldOfCircuitTransitions() {
    for (int i = 0; i < 8; i++) {
      fake.thenFail(Status.UNAVAILABLE.asRuntimeException());
    }
    // The circuit counts sends: four sends that each failed both attempts open it.
    CircuitConfig circuit =
        CircuitConfig.custom()
            .slidingWindowSize(4)
            .minimumNumberOfCalls(4)
            .waitInOpenState(Duration.ofMinutes(1))
            .build();
    ReliableProducerImpl p = producer(new InMemoryFallbackStore(100), false, circuit);
    for (int i = 0; i < 4; i++) {
      assertThat(p.send(message("" + i)).status()).isEqualTo(SendStatus.STORED);
    }

    assertThat(p.circuitState()).isEqualTo(CircuitState.OPEN);
    assertThat(recorder.events)
        .filteredOn(e -> e.startsWith("circuit "))
        .containsExactly("circuit CLOSED->OPEN");
  }

  @Test
  void config_keepsListenersInOrder_immutable() {
    ReliableProducerListener a = new ReliableProducerListener() {};
    ReliableProducerListener b = new ReliableProducerListener() {};
    ReliableProducerConfig config =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
            .listener(a)
            .listener(b)
            .build();

    assertThat(config.listeners()).containsExactly(a, b);
    assertThatThrownBy(() -> config.listeners().add(a))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(ReliableProducerConfig.ofDefaults(ClientSettings.of("x:1")).listeners()).isEmpty();
    assertThatThrownBy(() -> ReliableProducerConfig.custom(ClientSettings.of("x:1")).listener(null))
        .isInstanceOf(NullPointerException.class);
  }
}
