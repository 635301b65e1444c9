package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.java.exception.NotFoundException;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FallbackProducerTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
  // The replayer of these tests retries within milliseconds: poll as quickly, so a case takes
  // about as long as its replay.
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(10);

  private final FakeClientProducer fake = new FakeClientProducer();
  private final InMemoryFallbackStore store = new InMemoryFallbackStore(1000);
  private ReliableProducerImpl producer;

  @AfterEach
  void close() {
    if (producer != null) {
      producer.close();
    }
  }

  private ReliableProducerImpl producer(boolean replay, CircuitConfig circuit) {
    ReliableProducerConfig config =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .circuit(circuit)
            .fallbackStore(store)
            .replay(
                ReplayConfig.custom()
                    .enabled(replay)
                    .idlePoll(Duration.ofMillis(20))
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .build())
            .build();
    producer = ReliableProducerImpl.create(config, PROVIDER, () -> fake);
    return producer;
  }

  private static ReliableMessage message(String body) {
    return ReliableMessage.builder("orders").body(body).build();
  }

  private static ReliableMessage fifo(String group, String body) {
    return ReliableMessage.builder("orders").body(body).messageGroup(group).build();
  }

  private static CircuitConfig noCircuit() {
    return CircuitConfig.custom().enabled(false).build();
  }

  @Test
  void send_retriesThenStores_whenBrokerDown() {
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException());

    SendOutcome outcome = producer(false, noCircuit()).send(message("a"));

    assertThat(outcome.status()).isEqualTo(SendStatus.STORED);
    assertThat(outcome.attempts()).isEqualTo(2);
    assertThat(outcome.messageId()).isEmpty();
    assertThat(store.find(outcome.reliableId())).isPresent();
  }

  @Test
  void send_throwsAndStoresNothing_onNonRetryableAnswer() {
    fake.thenFail(new NotFoundException(40402, "r", "no topic"));

    assertThatThrownBy(() -> producer(false, noCircuit()).send(message("a")))
        .isInstanceOf(SendFailedException.class);
    assertThat(store.count()).isZero();
  }

  @Test
  void circuitStaysClosed_whenSendsSucceedAfterFailedAttempts() {
    // One dead broker group of two: every other attempt fails, every send ends SENT.
    CircuitConfig circuit =
        CircuitConfig.custom()
            .slidingWindowSize(4)
            .minimumNumberOfCalls(4)
            .waitInOpenState(Duration.ofMinutes(1))
            .build();
    ReliableProducerImpl p = producer(false, circuit);
    for (int i = 0; i < 20; i++) {
      fake.thenFail(Status.UNAVAILABLE.asRuntimeException());
      assertThat(p.send(message("" + i)).status()).isEqualTo(SendStatus.SENT);
    }

    assertThat(p.circuitState()).isEqualTo(CircuitState.CLOSED);
    assertThat(store.count()).isZero();
  }

  @Test
  void send_goesStraightToTheStore_whileTheCircuitIsOpen() {
    for (int i = 0; i < 10; i++) {
      fake.thenFail(Status.UNAVAILABLE.asRuntimeException());
    }
    // The circuit counts sends: four sends that each failed both attempts open it.
    CircuitConfig circuit =
        CircuitConfig.custom()
            .slidingWindowSize(4)
            .minimumNumberOfCalls(4)
            .waitInOpenState(Duration.ofMinutes(1))
            .build();
    ReliableProducerImpl p = producer(false, circuit);
    for (int i = 0; i < 4; i++) {
      assertThat(p.send(message("" + i)).status()).isEqualTo(SendStatus.STORED);
    }
    assertThat(p.circuitState()).isEqualTo(CircuitState.OPEN);
    int sentBefore = fake.sent.size();

    SendOutcome outcome = p.send(message("3"));

    assertThat(outcome.status()).isEqualTo(SendStatus.STORED);
    assertThat(outcome.attempts()).isZero();
    assertThat(fake.sent).hasSize(sentBefore);
  }

  @Test
  void send_fencesAGroup_whileItWaitsInTheStore() {
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException());
    ReliableProducerImpl p = producer(false, noCircuit());
    assertThat(p.send(fifo("buyer-1", "1")).status()).isEqualTo(SendStatus.STORED);

    SendOutcome sameGroup = p.send(fifo("buyer-1", "2"));
    SendOutcome otherGroup = p.send(fifo("buyer-2", "1"));

    assertThat(sameGroup.status()).isEqualTo(SendStatus.STORED);
    assertThat(sameGroup.attempts()).isZero();
    assertThat(otherGroup.status()).isEqualTo(SendStatus.SENT);
  }

  @Test
  void send_throwsStoreFull_andNothingIsLost() {
    InMemoryFallbackStore tiny = new InMemoryFallbackStore(1);
    for (int i = 0; i < 4; i++) {
      fake.thenFail(Status.UNAVAILABLE.asRuntimeException());
    }
    ReliableProducerConfig config =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .circuit(noCircuit())
            .fallbackStore(tiny)
            .replay(ReplayConfig.custom().enabled(false).build())
            .build();
    producer = ReliableProducerImpl.create(config, PROVIDER, () -> fake);
    SendOutcome first = producer.send(message("1"));

    assertThatThrownBy(() -> producer.send(message("2")))
        .isInstanceOf(FallbackStoreFullException.class);
    assertThat(tiny.count()).isEqualTo(1);
    assertThat(tiny.find(first.reliableId())).isPresent();
  }

  @Test
  void sendAsync_returnsSentOrStored_likeSend() throws Exception {
    ReliableProducerImpl p = producer(false, noCircuit());
    assertThat(p.sendAsync(message("ok")).get(5, TimeUnit.SECONDS).status())
        .isEqualTo(SendStatus.SENT);

    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException());
    SendOutcome stored = p.sendAsync(message("down")).get(5, TimeUnit.SECONDS);
    assertThat(stored.status()).isEqualTo(SendStatus.STORED);
    assertThat(store.find(stored.reliableId())).isPresent();
  }

  @Test
  void replayer_deliversStoredMessagesInGroupOrder_thenEmptiesTheStore() throws Exception {
    for (int i = 0; i < 6; i++) {
      fake.thenFail(Status.UNAVAILABLE.asRuntimeException());
    }
    ReliableProducerImpl p = producer(true, noCircuit());
    // The first send exhausts its attempts and is stored; the rest of the group is fenced behind
    // it; replay rounds fail until the scripted failures run out, then deliver everything.
    for (int i = 0; i < 10; i++) {
      p.send(fifo("buyer-1", "m" + i));
    }

    await("the replayer to empty the store")
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> store.count() == 0);
    List<String> replayedBodies =
        fake.sent.stream()
            .filter(m -> m.getMessageGroup().isPresent())
            .map(FallbackProducerTest::body)
            .distinct()
            .toList();
    assertThat(replayedBodies)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
  }

  @Test
  void replayer_parksAnEntry_onNonRetryableAnswer_andKeepsIt() throws Exception {
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(new NotFoundException(40402, "r", "topic deleted"));
    ReliableProducerImpl p = producer(true, noCircuit());
    SendOutcome stored = p.send(message("x"));

    await("the entry to be parked")
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> store.count(EntryState.PARKED) == 1);
    assertThat(store.find(stored.reliableId()).orElseThrow().lastError())
        .hasValueSatisfying(e -> assertThat(e).contains("NotFoundException"));
    assertThat(p.fallback().orElseThrow().count(EntryState.PARKED)).isEqualTo(1);
  }

  @Test
  void replayer_retriesTopicNotFound_forATopicServedBefore_insteadOfParking() throws Exception {
    ReliableProducerImpl p = producer(true, noCircuit());
    assertThat(p.send(message("served")).status()).isEqualTo(SendStatus.SENT);
    // The store takes the next send; then a NameServer restarted empty forgets the topic for two
    // replay attempts.
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(new NotFoundException(40402, "r", "topic not found"))
        .thenFail(new NotFoundException(40402, "r", "topic not found"));
    SendOutcome stored = p.send(message("x"));
    assertThat(stored.status()).isEqualTo(SendStatus.STORED);

    await("the replayer to empty the store")
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> store.count() == 0);
    assertThat(store.count(EntryState.PARKED)).isZero();
    assertThat(fake.sent)
        .filteredOn(
            m -> stored.reliableId().equals(m.getProperties().get(ReliableMessage.ID_PROPERTY)))
        .hasSize(5);
  }

  private static String body(Message m) {
    java.nio.ByteBuffer b = m.getBody().duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }
}
