package io.reliablemq.it.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.consumer.ConsumerStats;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
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
 * The broker is SIGKILLed while a {@link ReliableConsumer} works through a backlog and restarted on
 * the same store: consumer offsets not yet persisted make it deliver part of the backlog again
 * (575-663 messages were measured with a raw consumer). Every id must reach the handler once.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class ConsumerBrokerKillIT {
  private static final int MESSAGES = 1000;

  @TempDir Path tmp;

  @Test
  void everyMessage_isHandledExactlyOnce_whenTheBrokerIsKilledDuringConsumption(
      @DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("kill");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.NORMAL);
    Set<String> sent = new HashSet<>();
    try (ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints())) {
      for (int i = 0; i < MESSAGES; i++) {
        sent.add(producer.send(ReliableMessage.builder(topic).body("m" + i).build()).reliableId());
      }
    }
    Map<String, AtomicInteger> perId = new ConcurrentHashMap<>();
    ConsumerStats stats;
    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp);
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), group, topic, store).build(),
                m -> {
                  perId
                      .computeIfAbsent(m.reliableId().orElseThrow(), k -> new AtomicInteger())
                      .incrementAndGet();
                  // Simulated business latency, so that the kill finds work in flight.
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                })) {
      await("a third of the backlog")
          .atMost(Duration.ofSeconds(60))
          .until(() -> perId.size() >= 300);
      mq.kill();
      mq.restart();
      await("every id handled")
          .atMost(Duration.ofSeconds(120))
          .until(() -> perId.size() == MESSAGES);
      long deliveriesAtEnd = consumer.stats().deliveries();
      // Redeliveries after the restart may trail the last first delivery: wait for the stream to
      // settle (no new delivery within 3 s), bounded, before counting.
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
        Thread.onSpinWait();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      stats = consumer.stats();
      System.out.printf(
          "ConsumerBrokerKillIT: %d ids, %s, raw redeliveries %d (deliveries at first completion"
              + " %d)%n",
          MESSAGES, stats, stats.deliveries() - MESSAGES, deliveriesAtEnd);
    }
    assertThat(perId.keySet()).isEqualTo(sent);
    assertThat(perId.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    // Exactly-once holds either way; whether this run's kill produced redeliveries is reported
    // above and asserted only as consistency: every extra delivery was answered without the handler
    // (duplicate) or failed for redelivery.
    assertThat(stats.deliveries() - MESSAGES)
        .isEqualTo(stats.duplicates() + stats.failed())
        .isGreaterThanOrEqualTo(0);
  }
}
