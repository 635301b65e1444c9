package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import io.reliablemq.testsupport.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two producer instances share one fallback store on PostgreSQL and replay it to the real broker at
 * once: every stored message arrives once, and each message group in the order it was stored.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class SharedStoreReplayIT {
  private static final TestDatabase DB = TestDatabase.POSTGRESQL;
  private String prefix;

  @AfterEach
  void dropTables() {
    if (prefix != null) {
      DB.dropTables(prefix);
    }
  }

  @Test
  void twoProducers_replayingOnePostgresStore_deliverEachMessageOnce_inGroupOrder(
      EmbeddedRocketMQ mq) {
    DB.requireReachable();
    prefix = TestDatabase.newPrefix();
    String topic = EmbeddedRocketMQ.uniqueName("shared-fifo");
    String group = EmbeddedRocketMQ.uniqueName("shared-g");
    mq.createTopic(topic, TopicType.FIFO);
    mq.createConsumerGroup(group, true);
    FallbackStoreConfig config = FallbackStoreConfig.custom().tablePrefix(prefix).build();
    Map<String, List<String>> stored = new LinkedHashMap<>();
    try (FallbackStore outage =
        JdbcFallbackStore.create(DB.dataSource(), Dialect.of(DB.kind()), config)) {
      // What the instances stored during an outage: 4 groups, interleaved.
      for (int i = 0; i < 30; i++) {
        for (int g = 0; g < 4; g++) {
          String id = "shared-" + prefix + "-" + g + "-" + i;
          outage.append(
              ReliableMessage.builder(topic).id(id).body("m" + i).messageGroup("G" + g).build(),
              false);
          stored.computeIfAbsent("G" + g, k -> new ArrayList<>()).add(id);
        }
      }
    }
    int total = stored.values().stream().mapToInt(List::size).sum();

    try (RawConsumer consumer = RawConsumer.start(mq.endpoints(), group, topic);
        JdbcFallbackStore storeA =
            JdbcFallbackStore.create(DB.dataSource(), Dialect.of(DB.kind()), config);
        JdbcFallbackStore storeB =
            JdbcFallbackStore.create(DB.dataSource(), Dialect.of(DB.kind()), config);
        ReliableProducer a = producer(mq.endpoints(), storeA);
        ReliableProducer b = producer(mq.endpoints(), storeB)) {
      await("the shared store to drain")
          .atMost(Duration.ofSeconds(120))
          .until(() -> storeA.count() == 0);
      await("every stored message at the consumer")
          .atMost(Duration.ofSeconds(120))
          .until(() -> consumer.receivedIds().size() >= total);

      List<RawConsumer.Received> received = consumer.received();
      Map<String, Long> copies =
          received.stream()
              .collect(
                  Collectors.groupingBy(RawConsumer.Received::reliableId, Collectors.counting()));
      long twice = copies.values().stream().filter(n -> n > 1).count();
      Map<String, List<String>> order =
          received.stream()
              .collect(
                  Collectors.groupingBy(
                      r -> r.messageGroup.orElse("-"),
                      LinkedHashMap::new,
                      Collectors.mapping(RawConsumer.Received::reliableId, Collectors.toList())));
      System.out.printf(
          "shared PostgreSQL store, 2 producers: stored=%d, received=%d, received twice=%d,"
              + " groups in order=%d/%d%n",
          total,
          copies.size(),
          twice,
          stored.entrySet().stream()
              .filter(e -> e.getValue().equals(order.get(e.getKey())))
              .count(),
          stored.size());
      assertThat(twice).as("messages received twice").isZero();
      assertThat(copies.keySet())
          .containsExactlyInAnyOrderElementsOf(
              stored.values().stream().flatMap(List::stream).collect(Collectors.toList()));
      stored.forEach(
          (g, ids) -> assertThat(order.get(g)).as("order of group %s", g).isEqualTo(ids));
    }
  }

  /** A producer whose replayer claims small batches, so both instances take part. */
  private static ReliableProducer producer(String endpoints, FallbackStore store) {
    return ReliableProducer.create(
        ReliableProducerConfig.custom(
                ClientSettings.custom()
                    .endpoints(endpoints)
                    .sslEnabled(false)
                    .requestTimeout(FallbackFixtures.REQUEST_TIMEOUT)
                    .build())
            .fallbackStore(store)
            .replay(
                ReplayConfig.custom()
                    .batchSize(8)
                    .idlePoll(Duration.ofMillis(100))
                    .initialBackoff(Duration.ofMillis(200))
                    .maxBackoff(Duration.ofSeconds(2))
                    .build())
            .build());
  }
}
