package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.InvalidMessageException;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.java.exception.BadRequestException;
import org.apache.rocketmq.client.java.exception.InternalErrorException;
import org.apache.rocketmq.client.java.exception.NotFoundException;
import org.apache.rocketmq.client.java.exception.TooManyRequestsException;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.apache.rocketmq.shaded.io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class ReliableProducerImplTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();

  private final FakeClientProducer fake = new FakeClientProducer();

  private ReliableProducerImpl producer(SendRetryConfig retry) {
    ReliableProducerConfig config =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1")).retry(retry).build();
    return ReliableProducerImpl.create(config, PROVIDER, () -> fake);
  }

  private static SendRetryConfig fastRetry(int attempts) {
    return SendRetryConfig.custom()
        .maxAttempts(attempts)
        .initialBackoff(Duration.ofMillis(1))
        .maxBackoff(Duration.ofMillis(5))
        .totalDeadline(Duration.ofSeconds(10))
        .build();
  }

  private static ReliableMessage message() {
    return ReliableMessage.builder("orders").body("hello").tag("new").keys("order-1").build();
  }

  @Test
  void send_returnsSent_withBrokerIdAndOneAttempt_whenBrokerAcks() {
    SendOutcome outcome = producer(fastRetry(3)).send(message());

    assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
    assertThat(outcome.messageId()).contains("MSG-1");
    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(outcome.reliableId()).isNotBlank();
    Message sent = fake.sent.get(0);
    assertThat(sent.getProperties())
        .containsEntry(ReliableMessage.ID_PROPERTY, outcome.reliableId());
    assertThat(sent.getTag()).contains("new");
    assertThat(sent.getKeys()).containsExactly("order-1");
  }

  @Test
  void send_retriesRetryableErrors_keepingOneReliableId() {
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(new TooManyRequestsException(42900, "r", "slow down"))
        .thenSucceed();

    SendOutcome outcome = producer(fastRetry(3)).send(message());

    assertThat(outcome.attempts()).isEqualTo(3);
    assertThat(fake.sent).hasSize(3);
    assertThat(fake.sent)
        .extracting(m -> m.getProperties().get(ReliableMessage.ID_PROPERTY))
        .containsOnly(outcome.reliableId());
  }

  @Test
  void send_failsAtOnce_onNonRetryableAnswer() {
    fake.thenFail(new NotFoundException(40402, "r", "topic not found"));

    assertThatThrownBy(() -> producer(fastRetry(5)).send(message()))
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(1);
              assertThat(e.kind()).isEqualTo(ErrorKind.NON_RETRYABLE);
              assertThat(e.retryable()).isFalse();
              assertThat(e.getCause()).isInstanceOf(NotFoundException.class);
            });
    assertThat(fake.sent).hasSize(1);
  }

  @Test
  void send_triesTheNextQueueAtOnce_whenOneBrokerBehindTheProxyFails() {
    // Round robin over a dead broker group's four queues, then a live one.
    for (int i = 0; i < 4; i++) {
      fake.thenFail(new InternalErrorException(50001, "r", "connect to 127.0.0.1:1 failed"));
    }

    SendOutcome outcome =
        producer(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMinutes(1))
                    .maxBackoff(Duration.ofMinutes(1))
                    .totalDeadline(Duration.ofMinutes(5))
                    .build())
            .send(message());

    // Five attempts with a one-minute backoff configured: none of them waited for it.
    assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
    assertThat(outcome.attempts()).isEqualTo(5);
    assertThat(outcome.elapsed()).isLessThan(Duration.ofMinutes(1));
  }

  @Test
  void send_usesTheBackoffSchedule_onceTheQueueRetriesAreUsedUp() {
    for (int i = 0; i < 3; i++) {
      fake.thenFail(new InternalErrorException(50001, "r", "connect to 127.0.0.1:1 failed"));
    }

    assertThatThrownBy(
            () ->
                producer(
                        SendRetryConfig.custom()
                            .maxAttempts(1)
                            .maxQueueRetries(2)
                            .initialBackoff(Duration.ofMillis(1))
                            .build())
                    .send(message()))
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(3);
              assertThat(e.getMessage()).contains("attempts exhausted");
            });
  }

  @Test
  void send_retriesTopicNotFound_forATopicServedBefore() {
    ReliableProducerImpl p = producer(fastRetry(3));
    assertThat(p.send(message()).status()).isEqualTo(SendStatus.SENT);
    // A NameServer restarted empty: the proxy answers TOPIC_NOT_FOUND for a while.
    fake.thenFail(new NotFoundException(40402, "r", "topic not found"));

    SendOutcome outcome = p.send(message());

    assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
    assertThat(outcome.attempts()).isEqualTo(2);
  }

  @Test
  void send_failsFast_onTopicNotFound_forATopicNeverServed() {
    fake.thenFail(new NotFoundException(40402, "r", "topic not found"));

    assertThatThrownBy(() -> producer(fastRetry(3)).send(message()))
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(1);
              assertThat(e.kind()).isEqualTo(ErrorKind.NON_RETRYABLE);
            });
  }

  @Test
  void send_throwsSendFailed_afterMaxAttempts_withLastCause() {
    fake.thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.UNAVAILABLE.asRuntimeException())
        .thenFail(Status.DEADLINE_EXCEEDED.asRuntimeException());

    assertThatThrownBy(() -> producer(fastRetry(3)).send(message()))
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(3);
              assertThat(e.kind()).isEqualTo(ErrorKind.AMBIGUOUS);
              assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
              assertThat(e.getMessage()).contains("attempts exhausted");
            });
  }

  @Test
  void send_givesUpAtTheTotalDeadline_whenTheBrokerHangs() {
    fake.thenHang().thenHang().thenHang();
    SendRetryConfig retry =
        SendRetryConfig.custom()
            .maxAttempts(3)
            .initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(1))
            .totalDeadline(Duration.ofMillis(300))
            .build();

    assertThatThrownBy(() -> producer(retry).send(message()))
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.AMBIGUOUS);
              assertThat(e.attempts()).isEqualTo(1);
              // Bounded by the deadline, not by attempts x request timeout.
              assertThat(e.elapsed()).isLessThan(Duration.ofSeconds(5));
            });
  }

  @Test
  void send_rejectsBadInput_beforeAnyIo() {
    ReliableProducerImpl producer = producer(fastRetry(3));
    ReliableMessage empty = ReliableMessage.builder("orders").body(new byte[0]).build();

    assertThatThrownBy(() -> producer.send(empty))
        .isInstanceOfSatisfying(
            InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("body"));
    assertThat(fake.sent).isEmpty();
  }

  @Test
  void create_succeeds_whenTheClientCannotStart_andBuildsOnFirstSend() {
    AtomicInteger builds = new AtomicInteger();
    ReliableProducerConfig config =
        ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1")).retry(fastRetry(3)).build();
    ReliableProducerImpl producer =
        ReliableProducerImpl.create(
            config,
            PROVIDER,
            () -> {
              if (builds.incrementAndGet() < 3) {
                throw new IllegalStateException(
                    "proxy unreachable", Status.UNAVAILABLE.asRuntimeException());
              }
              return fake;
            });

    SendOutcome outcome = producer.send(message());

    assertThat(builds).hasValue(3);
    assertThat(outcome.attempts()).isEqualTo(2);
  }

  @Test
  void send_throwsIllegalState_afterClose_andClosesTheClientOnce() {
    ReliableProducerImpl producer = producer(fastRetry(3));
    producer.close();
    producer.close();

    assertThatThrownBy(() -> producer.send(message())).isInstanceOf(IllegalStateException.class);
    assertThat(fake.closes).hasValue(1);
  }

  @Test
  void send_doesNotRetryBadRequest() {
    fake.thenFail(new BadRequestException(40000, "r", "bad"));

    assertThatThrownBy(() -> producer(fastRetry(3)).send(message()))
        .isInstanceOf(SendFailedException.class);
    assertThat(fake.sent).hasSize(1);
  }
}
