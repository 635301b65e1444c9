package io.reliablemq.it.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.shaded.com.google.common.hash.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order guard against the real broker: a message group moves to another queue while an older
 * message of it still waits, undelivered, on the old one, and the consumer still handles the group
 * in order.
 *
 * <p>The move is the one a broker group's death or return causes in a cluster, made here with one
 * broker by a route change: the proxy picks a FIFO message's queue by {@code
 * Hashing.consistentHash(group.hashCode(), writeQueues)}, so growing the topic from 1 to 8 queues
 * moves the group from queue 0 to another. The older message P is held back on queue 0 by consumer
 * lag, as on a dead broker: an earlier message Q of another group, on the same queue, sits in a
 * handler that the test blocks. The newer message M goes to the new queue and reaches the consumer
 * first; the guard must hold it until P, delivered after Q, was handled.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class FifoOrderGuardIT {
  private static final int QUEUES_AFTER = 8;

  @TempDir Path tmp;

  /** The proxy's queue index of a group over a topic's write queues. */
  private static int queueOf(String group, int queues) {
    return Hashing.consistentHash(group.hashCode(), queues);
  }

  /** The first name of {@code prefix-N} that lands on the queue ({@code -1}: any but queue 0). */
  private static String groupOn(String prefix, int queue, int from) {
    for (int i = from; ; i++) {
      String g = prefix + "-" + i;
      int q = queueOf(g, QUEUES_AFTER);
      if (queue < 0 ? q != 0 : q == queue) {
        return g;
      }
    }
  }

  @Test
  void newerMessage_onAnotherQueue_waitsForItsLateOlderMessage(EmbeddedRocketMQ mq)
      throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("fifo-guard");
    String consumerGroup = EmbeddedRocketMQ.uniqueName("fg-guard");
    mq.createTopic(topic, TopicType.FIFO, 1);
    mq.createConsumerGroup(consumerGroup, true);
    String blockerGroup = "blocker";
    String group = groupOn("buyer", -1, 0);
    int newQueue = queueOf(group, QUEUES_AFTER);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch blockerEntered = new CountDownLatch(1);
    CountDownLatch releaseBlocker = new CountDownLatch(1);

    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp);
        ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), consumerGroup, topic, store)
                    .meterRegistry(registry)
                    .build(),
                m -> {
                  String body = m.bodyAsString();
                  if (body.equals("Q")) {
                    blockerEntered.countDown();
                    assertThat(releaseBlocker.await(3, TimeUnit.MINUTES)).isTrue();
                  }
                  handled.add(body);
                })) {
      producer.send(fifo(topic, blockerGroup, "Q"));
      assertThat(blockerEntered.await(60, TimeUnit.SECONDS)).as("Q in its handler").isTrue();
      // Behind Q on queue 0, whose FIFO delivery waits for Q's ack: P is lagging.
      SendOutcome p = producer.send(fifo(topic, group, "P"));

      mq.createTopic(topic, TopicType.FIFO, QUEUES_AFTER);
      // The proxy caches routes (about 20 s) and the consumer polls its assignment: a probe of a
      // fresh group (no predecessor) on the group's new queue is handled while queue 0 is still
      // blocked only once both saw the new route.
      AtomicInteger probes = new AtomicInteger();
      AtomicLong lastProbe = new AtomicLong();
      await("a probe on queue " + newQueue + " handled")
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                if (handled.stream().anyMatch(b -> b.startsWith("probe"))) {
                  return true;
                }
                if (System.nanoTime() - lastProbe.get() > TimeUnit.MILLISECONDS.toNanos(500)) {
                  lastProbe.set(System.nanoTime());
                  int n = probes.getAndIncrement();
                  String probeGroup = groupOn("probe" + n, newQueue, 0);
                  producer.send(fifo(topic, probeGroup, "probe-" + n));
                }
                return false;
              });
      assertThat(handled).doesNotContain("P");

      SendOutcome m = producer.send(fifo(topic, group, "M"));

      await("M held by the order guard")
          .atMost(Duration.ofSeconds(60))
          .until(() -> waiting(registry) == 1);
      assertThat(handled).doesNotContain("P", "M");
      releaseBlocker.countDown();
      await("P and M handled").atMost(Duration.ofSeconds(60)).until(() -> handled.contains("M"));

      assertThat(handled).containsSubsequence("Q", "P", "M");
      assertThat(gaps(registry)).isZero();
      assertThat(
              registry
                  .get("reliablemq.consume.order.wait")
                  .tag("group", consumerGroup)
                  .timer()
                  .count())
          .isGreaterThanOrEqualTo(1);
      assertThat(p.status().name()).isEqualTo("SENT");
      assertThat(m.status().name()).isEqualTo("SENT");
    } finally {
      releaseBlocker.countDown();
    }
  }

  private static ReliableMessage fifo(String topic, String group, String body) {
    return ReliableMessage.builder(topic).body(body).messageGroup(group).build();
  }

  private static double waiting(SimpleMeterRegistry registry) {
    return registry.find("reliablemq.consume.order.waiting").gauges().stream()
        .mapToDouble(g -> g.value())
        .sum();
  }

  private static double gaps(SimpleMeterRegistry registry) {
    return registry.find("reliablemq.consume.order.gaps").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
