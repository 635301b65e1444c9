package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.consumer.internal.ReliableConsumerImpl;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.producer.internal.ReliableProducerImpl;
import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is SIGKILLed and restarted while a producer stores and a push consumer waits: once the
 * proxy is back, both replace their client (the 5.2.0 client's would wait out gRPC's reconnect
 * backoff), the old ones close, the store drains and the consumer receives the replayed messages,
 * on the new clients.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class ReconnectIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @TempDir Path tmp;

  @Test
  void producerAndPushConsumer_replaceTheirClients_andRecover_afterTheBrokerIsKilled(
      @DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("reconnect");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.NORMAL);
    mq.createConsumerGroup(group, false);
    Set<String> received = ConcurrentHashMap.newKeySet();
    List<String> stored = new ArrayList<>();
    try (FallbackStore store = FallbackFixtures.h2Store(tmp.resolve("fallback"), 100_000);
        ReliableProducer producer = FallbackFixtures.producer(mq.endpoints(), store);
        JdbcDedupStore dedup =
            JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp.resolve("dedup")).build());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ReliableConsumerConfig.custom(
                        ClientSettings.custom()
                            .endpoints(mq.endpoints())
                            .sslEnabled(false)
                            .requestTimeout(Duration.ofSeconds(2))
                            .build(),
                        group)
                    .subscribe(topic, "*")
                    .dedup(DedupConfig.custom(dedup).build())
                    .build(),
                m -> received.add(m.reliableId().orElseThrow()))) {
      ReliableProducerImpl impl = (ReliableProducerImpl) producer;
      ReliableConsumerImpl consumerImpl = (ReliableConsumerImpl) consumer;
      String before =
          producer.send(ReliableMessage.builder(topic).body("before").build()).reliableId();
      await("the message sent before the outage")
          .atMost(TIMEOUT)
          .until(() -> received.contains(before));

      mq.kill();
      for (int i = 0; i < 10; i++) {
        SendOutcome o = producer.send(ReliableMessage.builder(topic).body("during" + i).build());
        assertThat(o.status()).isEqualTo(SendStatus.STORED);
        stored.add(o.reliableId());
      }
      // The fault happened: sends are stored and the circuit opened; nothing was replaced yet.
      assertThat(producer.circuitState()).isEqualTo(CircuitState.OPEN);
      assertThat(impl.clientReplacements()).isZero();

      mq.restart();

      await("the replayer to drain the store").atMost(TIMEOUT).until(() -> store.count() == 0);
      await("the consumer to receive every stored message")
          .atMost(TIMEOUT)
          .until(() -> received.containsAll(stored));
      assertThat(impl.clientReplacements()).isGreaterThanOrEqualTo(1);
      assertThat(consumerImpl.clientReplacements()).isGreaterThanOrEqualTo(1);
      assertThat(producer.circuitState()).isEqualTo(CircuitState.CLOSED);
      assertThat(producer.send(ReliableMessage.builder(topic).body("after").build()).status())
          .isEqualTo(SendStatus.SENT);
    }
  }
}
