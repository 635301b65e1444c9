package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.MessageLimits;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.java.exception.BadRequestException;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer half of the order guard: each message of a group carries the id of the previous
 * message of its group that the producer accepted ({@value ReliableMessage#PREVIOUS_ID_PROPERTY}).
 */
class OrderStampTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
  private static final String PREV = ReliableMessage.PREVIOUS_ID_PROPERTY;

  @TempDir Path tmp;
  private final FakeClientProducer fake = new FakeClientProducer();
  private ReliableProducerImpl producer;
  private JdbcFallbackStore h2;

  @AfterEach
  void close() {
    if (producer != null) {
      producer.close();
    }
    if (h2 != null) {
      h2.close();
    }
  }

  private ReliableProducerImpl producer(FallbackStore store, boolean replay, MessageLimits limits) {
    ReliableProducerConfig.Builder b =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .circuit(CircuitConfig.custom().enabled(false).build())
            .limits(limits);
    if (store != null) {
      b.fallbackStore(store)
          .replay(
              ReplayConfig.custom()
                  .enabled(replay)
                  .idlePoll(Duration.ofMillis(20))
                  .initialBackoff(Duration.ofMillis(10))
                  .maxBackoff(Duration.ofMillis(50))
                  .build());
    }
    producer = ReliableProducerImpl.create(b.build(), PROVIDER, () -> fake);
    return producer;
  }

  private ReliableProducerImpl producer() {
    return producer(null, false, MessageLimits.ofDefaults());
  }

  private static ReliableMessage fifo(String group, String body) {
    return ReliableMessage.builder("orders").body(body).messageGroup(group).build();
  }

  /** The stamp on the i-th message the client was handed. */
  private String stampOf(int i) {
    return fake.sent.get(i).getProperties().get(PREV);
  }

  @Test
  void send_stampsThePreviousSentMessageOfTheSameGroup_only() {
    ReliableProducerImpl p = producer();

    SendOutcome first = p.send(fifo("buyer-1", "1"));
    p.send(fifo("buyer-2", "1"));
    SendOutcome second = p.send(fifo("buyer-1", "2"));
    p.send(ReliableMessage.builder("payments").body("1").messageGroup("buyer-1").build());
    p.send(ReliableMessage.builder("orders").body("plain").build());
    p.send(fifo("buyer-1", "3"));

    assertThat(stampOf(0)).isNull();
    assertThat(stampOf(1)).isNull();
    assertThat(stampOf(2)).isEqualTo(first.reliableId());
    // Another topic is another chain, a message without a group has none.
    assertThat(stampOf(3)).isNull();
    assertThat(stampOf(4)).isNull();
    assertThat(stampOf(5)).isEqualTo(second.reliableId());
  }

  @Test
  void sendAsync_stampsThePreviousAcceptedMessage_likeSend() throws Exception {
    ReliableProducerImpl p = producer();

    SendOutcome first = p.sendAsync(fifo("buyer-1", "1")).get(5, TimeUnit.SECONDS);
    p.sendAsync(fifo("buyer-1", "2")).get(5, TimeUnit.SECONDS);

    assertThat(stampOf(1)).isEqualTo(first.reliableId());
  }

  @Test
  void rejectedMessage_isNotRemembered() {
    ReliableProducerImpl p = producer();
    SendOutcome accepted = p.send(fifo("buyer-1", "1"));
    // Not "topic not found": for a topic served before that is retried now.
    fake.thenFail(new BadRequestException(40001, "r", "bad request"));
    assertThatThrownBy(() -> p.send(fifo("buyer-1", "2"))).isInstanceOf(SendFailedException.class);

    p.send(fifo("buyer-1", "3"));

    assertThat(stampOf(1)).isEqualTo(accepted.reliableId());
    assertThat(stampOf(2)).isEqualTo(accepted.reliableId());
  }

  @Test
  void messageSentAgainUnderItsOwnId_doesNotWaitForItself() {
    ReliableProducerImpl p = producer();
    SendOutcome first = p.send(fifo("buyer-1", "1"));

    p.send(fifo("buyer-1", "1").withId(first.reliableId()));

    assertThat(stampOf(1)).isNull();
  }

  @Test
  void stamp_isLeftOut_whenItWouldBreakThePropertyLimits() {
    // Two user properties and the id fill a limit of three: the message is valid, the stamp is not.
    ReliableProducerImpl p =
        producer(null, false, MessageLimits.custom().maxPropertyCount(3).build());
    p.send(fifo("buyer-1", "1"));

    SendOutcome full =
        p.send(
            ReliableMessage.builder("orders")
                .body("2")
                .messageGroup("buyer-1")
                .property("a", "1")
                .property("b", "2")
                .build());
    p.send(fifo("buyer-1", "3"));

    assertThat(full.status()).isEqualTo(SendStatus.SENT);
    assertThat(stampOf(1)).isNull();
    // The full message was accepted: it is the next one's predecessor.
    assertThat(stampOf(2)).isEqualTo(full.reliableId());
  }

  @Test
  void storedMessage_isRemembered_andReplayedWithItsStampUnchanged() {
    h2 = JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(tmp).build());
    ReliableProducerImpl p = producer(h2, true, MessageLimits.ofDefaults());
    SendOutcome sent = p.send(fifo("buyer-1", "1"));
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException());

    SendOutcome stored = p.send(fifo("buyer-1", "2"));
    // Fenced behind the stored one: stored too, stamped with it.
    SendOutcome fenced = p.send(fifo("buyer-1", "3"));

    assertThat(stored.status()).isEqualTo(SendStatus.STORED);
    assertThat(fenced.status()).isEqualTo(SendStatus.STORED);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h2.count() == 0);
    List<Message> replayed =
        fake.sent.stream()
            .filter(
                m -> !m.getProperties().get(ReliableMessage.ID_PROPERTY).equals(sent.reliableId()))
            .toList();
    assertThat(replayed)
        .extracting(m -> m.getProperties().get(ReliableMessage.ID_PROPERTY))
        .containsSubsequence(stored.reliableId(), fenced.reliableId());
    assertThat(replayed)
        .allSatisfy(
            m -> {
              String id = m.getProperties().get(ReliableMessage.ID_PROPERTY);
              String expected =
                  id.equals(stored.reliableId()) ? sent.reliableId() : stored.reliableId();
              assertThat(m.getProperties()).containsEntry(PREV, expected);
            });
  }
}
