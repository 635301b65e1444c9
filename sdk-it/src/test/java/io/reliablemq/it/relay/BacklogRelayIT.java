package io.reliablemq.it.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.relay.BacklogRelay;
import io.reliablemq.relay.RelayConfig;
import io.reliablemq.relay.RelayProgress;
import io.reliablemq.relay.RelayState;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import io.reliablemq.tool.ReliableMQTool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backlog relief against the real broker: a backlog on a 1-queue topic relayed to an 8-queue topic
 * arrives there once per {@code reliablemq_id} with its FIFO groups in order, and a relay JVM
 * killed mid-way and started again loses nothing while the business consumers' dedup absorbs the
 * re-sent copies.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class BacklogRelayIT {
  private static final int FIFO_GROUPS = 30;
  private static final int PER_GROUP = 100;
  private static final int KILL_BACKLOG = 3000;

  @TempDir Path tmp;

  private static ClientSettings client(String endpoints) {
    return ClientSettings.custom()
        .endpoints(endpoints)
        .sslEnabled(false)
        .requestTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * A producer that rides out a loaded shared machine while building the backlog: no circuit and a
   * long deadline, so a slow broker makes the test slower, not red.
   */
  private static ReliableProducer patientProducer(String endpoints) {
    return ReliableProducer.create(
        ReliableProducerConfig.custom(client(endpoints))
            .circuit(CircuitConfig.custom().enabled(false).build())
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(10)
                    .totalDeadline(Duration.ofSeconds(60))
                    .build())
            .build());
  }

  @Test
  void fifoBacklogOnANarrowTopic_arrivesOnceOnTheWideTopic_withEachGroupInOrder(EmbeddedRocketMQ mq)
      throws Exception {
    String narrow = EmbeddedRocketMQ.uniqueName("narrow");
    String wide = EmbeddedRocketMQ.uniqueName("wide");
    String relayGroup = EmbeddedRocketMQ.uniqueName("relay");
    String businessGroup = EmbeddedRocketMQ.uniqueName("orders");
    mq.createTopic(narrow, TopicType.FIFO, 1);
    mq.createTopic(wide, TopicType.FIFO, 8);
    mq.createConsumerGroup(relayGroup, true);
    mq.createConsumerGroup(businessGroup, true);

    Map<String, List<String>> sentByGroup = new ConcurrentHashMap<>();
    try (ReliableProducer producer = patientProducer(mq.endpoints())) {
      // Each group is sent in order by one thread; groups go in parallel to build the backlog fast.
      IntStream.range(0, FIFO_GROUPS)
          .parallel()
          .forEach(
              g -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < PER_GROUP; i++) {
                  ReliableMessage m =
                      ReliableMessage.builder(narrow)
                          .body("g" + g + "-" + i)
                          .tag("order")
                          .keys("k" + g + "-" + i)
                          .property("tenant", "acme")
                          .messageGroup("buyer-" + g)
                          .build();
                  var outcome = producer.send(m);
                  assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
                  ids.add(outcome.reliableId());
                }
                sentByGroup.put("buyer-" + g, ids);
              });
      int total = FIFO_GROUPS * PER_GROUP;

      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      RelayProgress last;
      try (RawConsumer first = RawConsumer.start(mq.endpoints(), businessGroup, wide);
          RawConsumer second = RawConsumer.start(mq.endpoints(), businessGroup, wide)) {
        try (BacklogRelay relay =
            BacklogRelay.start(
                RelayConfig.custom(client(mq.endpoints()), narrow, relayGroup, wide)
                    .batchSize(32)
                    .idleTimeout(Duration.ofSeconds(5))
                    .expectedTotal(total)
                    .meterRegistry(meters)
                    .build(),
                producer)) {
          assertThat(relay.awaitStop(Duration.ofSeconds(120))).as("relay drained").isTrue();
          last = relay.completion().get();
        }
        await("every copy at the wide topic's consumers")
            .atMost(Duration.ofSeconds(30))
            .until(() -> first.received().size() + second.received().size() >= total);

        List<RawConsumer.Received> received = new ArrayList<>(first.received());
        received.addAll(second.received());
        Map<String, Long> perId =
            received.stream()
                .collect(
                    Collectors.groupingBy(RawConsumer.Received::reliableId, Collectors.counting()));
        Set<String> sentIds =
            sentByGroup.values().stream().flatMap(List::stream).collect(Collectors.toSet());
        assertThat(perId.keySet()).isEqualTo(sentIds);
        assertThat(perId.values()).as("copies per id").allMatch(n -> n == 1);

        // Order within each group: consumers pop from every queue, so each sees a part of a group,
        // and that part must follow the send order.
        for (RawConsumer c : List.of(first, second)) {
          Map<String, List<String>> seen = new HashMap<>();
          for (RawConsumer.Received r : c.received()) {
            seen.computeIfAbsent(r.messageGroup.orElseThrow(), k -> new ArrayList<>())
                .add(r.reliableId());
          }
          seen.forEach(
              (group, ids) ->
                  assertThat(sentByGroup.get(group))
                      .as("order of %s", group)
                      .containsSubsequence(ids));
        }
        RawConsumer.Received sample = received.get(0);
        assertThat(sample.tag).contains("order");
        assertThat(sample.keys).hasSize(1).allMatch(k -> k.startsWith("k"));
        assertThat(sample.properties).containsEntry("tenant", "acme");
        assertThat(sample.body).startsWith("g");
        System.out.printf(
            "BacklogRelayIT fifo: %d messages over %d groups relayed, %s; first consumer %d,"
                + " second %d%n",
            total, FIFO_GROUPS, last, first.received().size(), second.received().size());
      }
      assertThat(last.state()).isEqualTo(RelayState.DRAINED);
      assertThat(last.relayed()).isEqualTo(total);
      assertThat(last.remaining()).hasValue(0);
      assertThat(meters.get("reliablemq.relay.messages").tag("outcome", "sent").counter().count())
          .isEqualTo(total);
    }
  }

  @Test
  void relayJvmKilledMidWay_andStartedAgain_losesNothing_andDedupProcessesEachIdOnce(
      EmbeddedRocketMQ mq) throws Exception {
    String narrow = EmbeddedRocketMQ.uniqueName("narrow");
    String wide = EmbeddedRocketMQ.uniqueName("wide");
    String relayGroup = EmbeddedRocketMQ.uniqueName("relay");
    String businessGroup = EmbeddedRocketMQ.uniqueName("orders");
    mq.createTopic(narrow, TopicType.NORMAL, 1);
    mq.createTopic(wide, TopicType.NORMAL, 8);
    mq.createConsumerGroup(relayGroup, false);
    mq.createConsumerGroup(businessGroup, false);

    Set<String> sent = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    AtomicInteger deliveries = new AtomicInteger();
    try (ReliableProducer producer = patientProducer(mq.endpoints());
        JdbcDedupStore dedup =
            JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp.resolve("dedup")).build());
        ReliableConsumer business =
            ReliableConsumer.start(
                ReliableConsumerConfig.custom(client(mq.endpoints()), businessGroup)
                    .subscribe(wide, "*")
                    .consumptionThreadCount(8)
                    .dedup(DedupConfig.custom(dedup).build())
                    .build(),
                m -> {
                  deliveries.incrementAndGet();
                  processed
                      .computeIfAbsent(m.reliableId().orElseThrow(), k -> new AtomicInteger())
                      .incrementAndGet();
                })) {
      List<java.util.concurrent.CompletableFuture<Void>> sends = new ArrayList<>();
      // A window keeps a loaded broker from timing the sends out.
      java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
      for (int i = 0; i < KILL_BACKLOG; i++) {
        window.acquire();
        sends.add(
            producer
                .sendAsync(ReliableMessage.builder(narrow).body("order-" + i).build())
                .whenComplete((o, e) -> window.release())
                .thenAccept(o -> sent.add(o.reliableId())));
      }
      sends.forEach(java.util.concurrent.CompletableFuture::join);
      assertThat(sent).hasSize(KILL_BACKLOG);

      Process first = startRelay(mq.endpoints(), narrow, relayGroup, wide, "first");
      try {
        await("a part of the backlog relayed before the kill")
            .atMost(Duration.ofSeconds(90))
            .until(() -> processed.size() >= KILL_BACKLOG / 5 || !first.isAlive());
        assertThat(first.isAlive()).as("relay still running at the kill").isTrue();
      } finally {
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      int atKill = processed.size();
      assertThat(atKill).as("killed mid-way").isLessThan(KILL_BACKLOG);

      Process second = startRelay(mq.endpoints(), narrow, relayGroup, wide, "second");
      try {
        assertThat(second.waitFor(150, TimeUnit.SECONDS)).as("second relay drained").isTrue();
        assertThat(second.exitValue()).isZero();
      } finally {
        second.destroyForcibly();
      }
      await("every id processed")
          .atMost(Duration.ofSeconds(60))
          .until(() -> processed.size() >= KILL_BACKLOG);

      assertThat(processed.keySet()).isEqualTo(sent);
      List<String> twice =
          processed.entrySet().stream()
              .filter(e -> e.getValue().get() != 1)
              .map(Map.Entry::getKey)
              .toList();
      assertThat(twice).as("ids processed more than once").isEmpty();
      System.out.printf(
          "BacklogRelayIT kill: backlog %d, processed %d before the kill, %d ids processed once"
              + " each, handler runs %d, consumer %s%n",
          KILL_BACKLOG, atKill, processed.size(), deliveries.get(), business.stats());
    }
  }

  /** The relay as operators run it: the tool's main class in its own JVM. */
  private Process startRelay(String endpoints, String from, String group, String to, String name)
      throws IOException {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-Drocketmq.log.root=" + tmp.resolve("client-" + name),
            "-cp",
            System.getProperty("java.class.path"),
            ReliableMQTool.class.getName(),
            "relay",
            "--endpoints",
            endpoints,
            "--tls",
            "false",
            "--from",
            from,
            "--group",
            group,
            "--to",
            to,
            "--invisible-seconds",
            "10",
            // Longer than the invisible duration, so the copies the kill left unacknowledged
            // come back before the second relay calls the source drained.
            "--idle-seconds",
            "15",
            "--progress-seconds",
            "2");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectOutput(tmp.resolve("relay-" + name + ".out").toFile());
    pb.redirectError(tmp.resolve("relay-" + name + ".err").toFile());
    return pb.start();
  }
}
