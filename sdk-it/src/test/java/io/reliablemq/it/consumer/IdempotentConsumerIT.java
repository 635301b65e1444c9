package io.reliablemq.it.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReliableConsumer} with dedup against a real RocketMQ 5 broker and proxy. */
@ExtendWith(EmbeddedRocketMQExtension.class)
class IdempotentConsumerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void sameReliableId_sentThreeTimes_reachesTheHandlerOnce(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("dup3");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.NORMAL);
    List<ReceivedMessage> handled = new CopyOnWriteArrayList<>();
    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp);
        ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), group, topic, store).build(),
                handled::add)) {
      String id = "order-" + EmbeddedRocketMQ.uniqueName("x");
      List<String> messageIds = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        // Three sends of one logical message, as a producer retry or a fallback replay would.
        messageIds.add(
            producer
                .send(ReliableMessage.builder(topic).body("pay 10 EUR").id(id).build())
                .messageId()
                .orElseThrow());
      }

      await("2 duplicates").atMost(TIMEOUT).until(() -> consumer.stats().duplicates() >= 2);

      assertThat(messageIds).doesNotHaveDuplicates();
      assertThat(handled).hasSize(1);
      assertThat(handled.get(0).reliableId()).contains(id);
      assertThat(handled.get(0).bodyAsString()).isEqualTo("pay 10 EUR");
      assertThat(consumer.stats().duplicates()).isEqualTo(2);
    }
  }

  @Test
  void handlerFailingTwiceThenSucceeding_isProcessedOnce(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("flaky");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.NORMAL);
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger effects = new AtomicInteger();
    List<Integer> deliveryAttempts = new CopyOnWriteArrayList<>();
    List<Long> attemptTimes = new CopyOnWriteArrayList<>();
    AtomicLong sentAt = new AtomicLong(System.nanoTime());
    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp);
        ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), group, topic, store).build(),
                m -> {
                  attemptTimes.add((System.nanoTime() - sentAt.get()) / 1_000_000);
                  deliveryAttempts.add(m.deliveryAttempt());
                  if (attempts.incrementAndGet() <= 2) {
                    throw new IllegalStateException("downstream unavailable");
                  }
                  effects.incrementAndGet();
                })) {
      sentAt.set(System.nanoTime());
      producer.send(ReliableMessage.builder(topic).body("x").build());

      // The broker's backoff: 1 s after the first failure, 5 s after the second.
      await("the third attempt to succeed")
          .atMost(TIMEOUT)
          .until(() -> consumer.stats().handled() == 1);
      System.out.printf(
          "IdempotentConsumerIT flaky handler: attempts at %s ms after the send%n", attemptTimes);

      assertThat(effects).hasValue(1);
      assertThat(deliveryAttempts).containsExactly(1, 2, 3);
      assertThat(consumer.stats().failed()).isEqualTo(2);
      assertThat(consumer.stats().handled()).isEqualTo(1);
    }
  }

  @Test
  void twoInstancesInOneGroup_sharingOneStore_neverHandleAnIdTwice(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("shared");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.NORMAL);
    int ids = 150;
    Map<String, AtomicInteger> perId = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> perInstance = new ConcurrentHashMap<>();
    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp);
        ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints());
        ReliableConsumer a =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), group, topic, store).build(),
                m -> count(perId, perInstance, "a", m));
        ReliableConsumer b =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), group, topic, store).build(),
                m -> count(perId, perInstance, "b", m))) {
      for (int i = 0; i < ids; i++) {
        String id = "id-" + i + "-" + topic;
        // Every id twice: the duplicate may land on either instance.
        producer.send(ReliableMessage.builder(topic).body("n" + i).id(id).build());
        producer.send(ReliableMessage.builder(topic).body("n" + i).id(id).build());
      }

      await("every delivery")
          .atMost(TIMEOUT)
          .until(() -> settled(a) + settled(b) >= 2L * ids && perId.size() == ids);

      System.out.printf(
          "IdempotentConsumerIT two instances: a %s, b %s, handled per instance %s%n",
          a.stats(), b.stats(), perInstance);
      assertThat(perId).hasSize(ids);
      assertThat(perId.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    }
  }

  /** Deliveries whose outcome is decided (the delivery counter runs ahead of the decision). */
  private static long settled(ReliableConsumer c) {
    return c.stats().handled() + c.stats().duplicates() + c.stats().failed();
  }

  private static void count(
      Map<String, AtomicInteger> perId,
      Map<String, AtomicInteger> perInstance,
      String instance,
      ReceivedMessage m) {
    perId.computeIfAbsent(m.reliableId().orElseThrow(), k -> new AtomicInteger()).incrementAndGet();
    perInstance.computeIfAbsent(instance, k -> new AtomicInteger()).incrementAndGet();
  }
}
