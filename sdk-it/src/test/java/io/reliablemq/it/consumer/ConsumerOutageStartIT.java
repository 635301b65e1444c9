package io.reliablemq.it.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.ReliableMQException;
import io.reliablemq.consumer.ConsumerState;
import io.reliablemq.consumer.ConsumerStats;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application restarted during an MQ outage: its {@link ReliableConsumer} is created while the
 * broker is killed, must not throw, reports {@link ConsumerState#WAITING}, and once the broker is
 * back connects by itself and handles every message once.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class ConsumerOutageStartIT {
  private static final int MESSAGES = 200;

  @TempDir Path tmp;

  @Test
  void consumerStartedWhileTheBrokerIsDown_waits_thenHandlesEveryMessageOnceAfterTheRestart(
      @DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("down-start");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.NORMAL);
    mq.kill();
    assertThat(mq.isRunning()).isFalse();

    Map<String, AtomicInteger> perId = new ConcurrentHashMap<>();
    Set<String> sent = new HashSet<>();
    ConsumerStats stats;
    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp);
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), group, topic, store).build(),
                m ->
                    perId
                        .computeIfAbsent(m.reliableId().orElseThrow(), k -> new AtomicInteger())
                        .incrementAndGet())) {
      assertThat(consumer.state()).isEqualTo(ConsumerState.WAITING);

      mq.start();
      await("the consumer to connect")
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.state() == ConsumerState.RUNNING);
      try (ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints())) {
        for (int i = 0; i < MESSAGES; i++) {
          var outcome = producer.send(ReliableMessage.builder(topic).body("m" + i).build());
          assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
          sent.add(outcome.reliableId());
        }
      }
      await("every id handled")
          .atMost(Duration.ofSeconds(60))
          .until(() -> perId.size() == MESSAGES);
      awaitQuiet(consumer);
      stats = consumer.stats();
    }
    assertThat(perId.keySet()).isEqualTo(sent);
    assertThat(perId.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    assertThat(stats.deliveries() - MESSAGES).isEqualTo(stats.duplicates() + stats.failed());
  }

  @Test
  void start_failsFast_whenTheTopicDoesNotExist(EmbeddedRocketMQ mq) {
    String missing = EmbeddedRocketMQ.uniqueName("missing");
    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp)) {
      assertThatThrownBy(
              () ->
                  ReliableConsumer.start(
                      ConsumerFixtures.config(
                              mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), missing, store)
                          .build(),
                      m -> {}))
          .isInstanceOf(ReliableMQException.class)
          .hasMessageContaining("Cannot start the RocketMQ push consumer");
    }
  }

  /** Waits, bounded, until no delivery arrived for 3 s, so late redeliveries are counted. */
  private static void awaitQuiet(ReliableConsumer consumer) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long last = -1;
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline
        && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(3)) {
      long now = consumer.stats().deliveries();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
