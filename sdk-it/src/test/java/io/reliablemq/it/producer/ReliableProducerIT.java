package io.reliablemq.it.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.InvalidMessageException;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ReliableProducer} against a real RocketMQ 5 broker and proxy. */
@ExtendWith(EmbeddedRocketMQExtension.class)
class ReliableProducerIT {
  private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(60);

  static ReliableProducer producer(String endpoints) {
    return ReliableProducer.create(
        ReliableProducerConfig.custom(
                ClientSettings.custom()
                    .endpoints(endpoints)
                    .sslEnabled(false)
                    .requestTimeout(Duration.ofSeconds(2))
                    .build())
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(3)
                    .initialBackoff(Duration.ofMillis(50))
                    .maxBackoff(Duration.ofMillis(500))
                    .totalDeadline(Duration.ofSeconds(5))
                    .build())
            .build());
  }

  @Test
  void normalMessage_arrivesWithBodyTagKeysPropertiesAndReliableId(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("normal");
    mq.createTopic(topic, TopicType.NORMAL);
    try (ReliableProducer producer = producer(mq.endpoints());
        RawConsumer consumer =
            RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic)) {
      SendOutcome outcome =
          producer.send(
              ReliableMessage.builder(topic)
                  .body("order-42")
                  .tag("created")
                  .keys("order-42", "buyer-7")
                  .property("region", "eu")
                  .build());

      assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
      assertThat(outcome.messageId()).isPresent();
      await("the message").atMost(RECEIVE_TIMEOUT).until(() -> !consumer.received().isEmpty());
      RawConsumer.Received r = consumer.received().get(0);
      assertThat(r.body).isEqualTo("order-42");
      assertThat(r.tag).contains("created");
      assertThat(r.keys).containsExactlyInAnyOrder("order-42", "buyer-7");
      assertThat(r.properties).containsEntry("region", "eu");
      assertThat(r.reliableId()).isEqualTo(outcome.reliableId());
    }
  }

  @Test
  void fifoMessages_keepTheirOrderWithinEachGroup(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("fifo");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.FIFO);
    mq.createConsumerGroup(group, true);
    int perGroup = 30;
    try (ReliableProducer producer = producer(mq.endpoints());
        RawConsumer consumer = RawConsumer.start(mq.endpoints(), group, topic)) {
      for (int i = 0; i < perGroup; i++) {
        for (String buyer : List.of("buyer-a", "buyer-b", "buyer-c")) {
          producer.send(
              ReliableMessage.builder(topic).body(buyer + ":" + i).messageGroup(buyer).build());
        }
      }

      await("all FIFO messages")
          .atMost(RECEIVE_TIMEOUT)
          .until(() -> consumer.received().size() >= 3 * perGroup);
      Map<String, List<Integer>> byGroup = new HashMap<>();
      for (RawConsumer.Received r : consumer.received()) {
        byGroup
            .computeIfAbsent(r.messageGroup.orElseThrow(), g -> new ArrayList<>())
            .add(Integer.parseInt(r.body.substring(r.body.indexOf(':') + 1)));
      }
      assertThat(byGroup).containsOnlyKeys("buyer-a", "buyer-b", "buyer-c");
      byGroup.values().forEach(seq -> assertThat(seq).isSorted().hasSize(perGroup));
    }
  }

  @Test
  void delayMessage_isNotDeliveredBeforeItsTime(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("delay");
    mq.createTopic(topic, TopicType.DELAY);
    try (ReliableProducer producer = producer(mq.endpoints());
        RawConsumer consumer =
            RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic)) {
      Instant deliverAt = Instant.now().plusSeconds(6);
      producer.send(
          ReliableMessage.builder(topic).body("cancel-unpaid").deliveryTime(deliverAt).build());

      await("the delayed message")
          .atMost(RECEIVE_TIMEOUT)
          .until(() -> !consumer.received().isEmpty());
      RawConsumer.Received r = consumer.received().get(0);
      assertThat(r.deliveryTimestamp).contains(deliverAt.toEpochMilli());
      // The broker's timer wheel has a precision of one second (timerPrecisionMs=1000).
      assertThat(r.receivedAt).isAfterOrEqualTo(deliverAt.minusSeconds(1));
    }
  }

  @Test
  void missingTopic_failsAtOnce_notRetryable(EmbeddedRocketMQ mq) {
    try (ReliableProducer producer = producer(mq.endpoints())) {
      ReliableMessage message =
          ReliableMessage.builder(EmbeddedRocketMQ.uniqueName("missing")).body("x").build();

      assertThatThrownBy(() -> producer.send(message))
          .isInstanceOfSatisfying(
              SendFailedException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.NON_RETRYABLE);
                assertThat(e.attempts()).isEqualTo(1);
              });
    }
  }

  @Test
  void messageTypeNotMatchingTheTopic_failsAtOnce_notRetryable(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("normal");
    mq.createTopic(topic, TopicType.NORMAL);
    try (ReliableProducer producer = producer(mq.endpoints())) {
      ReliableMessage fifo = ReliableMessage.builder(topic).body("x").messageGroup("g").build();

      assertThatThrownBy(() -> producer.send(fifo))
          .isInstanceOfSatisfying(
              SendFailedException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.NON_RETRYABLE);
                assertThat(e.attempts()).isEqualTo(1);
              });
    }
  }

  @Test
  void badInput_isRejectedBeforeAnyNetworkCall(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("normal");
    mq.createTopic(topic, TopicType.NORMAL);
    Map<String, ReliableMessage.Builder> bad = new java.util.LinkedHashMap<>();
    bad.put("body", ReliableMessage.builder(topic).body(new byte[4 * 1024 * 1024 + 1]));
    bad.put("topic", ReliableMessage.builder("no spaces allowed").body("x"));
    bad.put("tag", ReliableMessage.builder(topic).body("x").tag("a|b"));
    bad.put("keys", ReliableMessage.builder(topic).body("x").keys(" "));
    bad.put("properties", ReliableMessage.builder(topic).body("x").property("UNIQ_KEY", "v"));
    bad.put("messageGroup", ReliableMessage.builder(topic).body("x").messageGroup("g".repeat(65)));
    bad.put(
        "deliveryDelay",
        ReliableMessage.builder(topic).body("x").deliveryDelay(Duration.ofDays(2)));
    bad.put("id", ReliableMessage.builder(topic).body("x").id("not an id"));
    try (RawConsumer consumer =
            RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic);
        ReliableProducer live = producer(mq.endpoints());
        // Nothing listens here: any network call would end in SendFailedException, not this.
        ReliableProducer unreachable = producer("127.0.0.1:1")) {
      bad.forEach(
          (field, message) -> {
            for (ReliableProducer producer : List.of(live, unreachable)) {
              assertThatThrownBy(() -> producer.send(message.build()))
                  .as(field)
                  .isInstanceOfSatisfying(
                      InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo(field));
            }
          });
      // A valid message afterwards is the only one the broker ever saw.
      SendOutcome ok = live.send(ReliableMessage.builder(topic).body("valid").build());
      await("the valid message")
          .atMost(RECEIVE_TIMEOUT)
          .until(() -> !consumer.received().isEmpty());
      assertThat(consumer.received().stream().map(RawConsumer.Received::reliableId))
          .containsExactly(ok.reliableId());
    }
  }

  @Test
  void producer_isCreatedWhileNothingListens_withoutThrowing() {
    try (ReliableProducer producer = producer("127.0.0.1:1")) {
      assertThatThrownBy(() -> producer.send(ReliableMessage.builder("orders").body("x").build()))
          .isInstanceOfSatisfying(
              SendFailedException.class, e -> assertThat(e.retryable()).isTrue());
    }
  }
}
