package io.reliablemq.it.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ReliableProducer} while the real broker is killed and restarted. */
@ExtendWith(EmbeddedRocketMQExtension.class)
class BrokerFailureIT {
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(90);

  @Test
  void sendsFailWithinTheDeadline_whenTheBrokerIsKilled_thenSucceedAfterRestart(
      @DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("orders");
    mq.createTopic(topic, TopicType.NORMAL);
    List<String> acknowledged = new ArrayList<>();
    try (ReliableProducer producer = ReliableProducerIT.producer(mq.endpoints())) {
      for (int i = 0; i < 20; i++) {
        acknowledged.add(
            producer.send(ReliableMessage.builder(topic).body("before-" + i).build()).reliableId());
      }

      mq.kill();

      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(
                () -> producer.send(ReliableMessage.builder(topic).body("during").build()))
            .isInstanceOfSatisfying(
                SendFailedException.class,
                e -> {
                  assertThat(e.retryable()).isTrue();
                  // The promise is "no hang": bounded by the 5 s total deadline, plus scheduling.
                  assertThat(e.elapsed()).isLessThan(Duration.ofSeconds(6));
                });
      }

      mq.restart();

      // Same producer instance, not rebuilt: gRPC reconnects once its backoff expires.
      SendOutcome after =
          await("a send after restart")
              .atMost(RECOVERY_TIMEOUT)
              .ignoreExceptions()
              .until(
                  () -> producer.send(ReliableMessage.builder(topic).body("after").build()),
                  Objects::nonNull);
      acknowledged.add(after.reliableId());
      for (int i = 0; i < 20; i++) {
        acknowledged.add(
            producer.send(ReliableMessage.builder(topic).body("after-" + i).build()).reliableId());
      }
    }

    // Every acknowledged message survived the SIGKILL.
    try (RawConsumer consumer =
        RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic)) {
      await("every acknowledged message")
          .atMost(RECOVERY_TIMEOUT)
          .until(() -> ids(consumer).containsAll(acknowledged));
    }
  }

  @Test
  void producerBuiltWhileTheBrokerIsDown_sendsOnceItIsUp(@DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("orders");
    mq.createTopic(topic, TopicType.NORMAL);
    mq.stop();

    try (ReliableProducer producer = ReliableProducerIT.producer(mq.endpoints())) {
      assertThatThrownBy(() -> producer.send(ReliableMessage.builder(topic).body("x").build()))
          .isInstanceOf(SendFailedException.class);

      mq.restart();

      SendOutcome outcome =
          await("a send once the broker is up")
              .atMost(RECOVERY_TIMEOUT)
              .ignoreExceptions()
              .until(
                  () -> producer.send(ReliableMessage.builder(topic).body("up").build()),
                  Objects::nonNull);
      assertThat(outcome.messageId()).isPresent();
    }
  }

  private static Set<String> ids(RawConsumer consumer) {
    return consumer.receivedIds();
  }
}
