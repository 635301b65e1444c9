package io.reliablemq.it.cluster;

import static io.reliablemq.it.support.BoundedClose.closeWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.test.ClusterLayout;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQCluster;
import io.reliablemq.test.EmbeddedRocketMQClusterExtension;
import io.reliablemq.test.TopicType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test kit's controller mode, with the raw {@code rocketmq-client-java}: one broker group of a
 * master and a replica ({@code broker-a}, {@code broker-a-1}), the controller embedded in the
 * NameServer, one proxy in CLUSTER mode; 4 JVMs. The master is SIGKILLed under load: the replica is
 * elected, no acknowledged message is lost (the master acknowledges only what the in-sync replica
 * has), sends go on once the proxy routes to the new master, and the old master rejoins as a
 * replica. RocketMQ's own timings are kept (the proxy refreshes a route 20 s after loading it), so
 * the failover time printed is the one a client would see.
 */
@ExtendWith(EmbeddedRocketMQClusterExtension.class)
@ClusterLayout(nameServers = 1, brokerGroups = 1, replicasPerGroup = 1, proxies = 1)
class EmbeddedRocketMQClusterFailoverIT {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
  private static final String GROUP = "broker-a";
  private static final Duration FAILOVER = Duration.ofSeconds(60);

  private static EmbeddedRocketMQCluster cluster;
  private static String topic;
  private static Producer producer;

  @BeforeAll
  static void start(EmbeddedRocketMQCluster c) throws Exception {
    cluster = c;
    topic = EmbeddedRocketMQ.uniqueName("failover");
    cluster.createTopic(topic, TopicType.NORMAL, 4);
    producer =
        PROVIDER
            .newProducerBuilder()
            .setClientConfiguration(
                ClientConfiguration.newBuilder()
                    .setEndpoints(cluster.endpoints())
                    .enableSsl(false)
                    .setRequestTimeout(Duration.ofSeconds(3))
                    .build())
            .setTopics(topic)
            .build();
  }

  @AfterAll
  static void closeProducer() throws InterruptedException {
    if (producer != null) {
      closeWithin(producer, Duration.ofSeconds(10));
    }
  }

  @Test
  void masterKilledUnderLoad_replicaElected_noAcknowledgedMessageLost_oldMasterRejoins()
      throws Exception {
    assertThat(cluster.nodes()).containsExactly("namesrv-0", "broker-a", "broker-a-1", "proxy-0");
    assertThat(cluster.groupNodes(GROUP)).containsExactly("broker-a", "broker-a-1");
    String oldMaster = cluster.master(GROUP).orElseThrow();
    assertThat(oldMaster).isEqualTo("broker-a");
    // start() returned with the replica in sync: it is electable, and every ack waits for it.
    cluster.awaitInSync(GROUP, Duration.ofSeconds(30));

    String consumerGroup = EmbeddedRocketMQ.uniqueName("failover-group");
    cluster.createConsumerGroup(consumerGroup, false);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger failedSends = new AtomicInteger();
    AtomicLong killedAt = new AtomicLong();
    AtomicLong firstSendAfterKill = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    try (RawConsumer consumer = RawConsumer.start(cluster.endpoints(), consumerGroup, topic)) {
      Thread sender =
          new Thread(
              () -> {
                int seq = 0;
                while (!stop.get()) {
                  String body = "f-" + seq++;
                  // Only a send begun after the kill counts: one in flight may be acknowledged
                  // by the master just before it died.
                  boolean begunAfterKill = killedAt.get() != 0;
                  try {
                    producer.send(message(body));
                    acknowledged.add(body);
                    if (begunAfterKill) {
                      firstSendAfterKill.compareAndSet(0, System.nanoTime());
                    }
                  } catch (Exception e) {
                    failedSends.incrementAndGet();
                  }
                }
              },
              "failover-sender");
      sender.setDaemon(true);
      sender.start();
      try {
        await("100 sends acknowledged").atMost(FAILOVER).until(() -> acknowledged.size() >= 100);
        long masterPid = cluster.pid(oldMaster);
        long replicaHeld = cluster.storedMessageCount("broker-a-1", topic);
        killedAt.set(System.nanoTime());
        cluster.kill(oldMaster);
        int ackedAtKill = acknowledged.size();
        assertThat(cluster.isRunning(oldMaster)).isFalse();
        assertThat(ProcessHandle.of(masterPid)).isEmpty();
        assertThat(replicaHeld).as("messages the replica held before the kill").isPositive();

        await("the controller to elect another master")
            .atMost(FAILOVER)
            .until(() -> cluster.master(GROUP).filter(m -> !m.equals(oldMaster)).isPresent());
        long elected = System.nanoTime();
        String newMaster = cluster.awaitFailover(GROUP, oldMaster, FAILOVER);
        long failoverOver = System.nanoTime();
        assertThat(newMaster).isEqualTo("broker-a-1");
        assertThat(cluster.master(GROUP)).contains("broker-a-1");

        await("a send begun after the kill to succeed")
            .atMost(FAILOVER)
            .until(() -> firstSendAfterKill.get() != 0);
        int before = acknowledged.size();
        await("50 more sends through the new master")
            .atMost(FAILOVER)
            .until(() -> acknowledged.size() >= before + 50);
        System.out.printf(
            "failover: %d acknowledged at the kill; replica master %d ms after the kill;"
                + " first send begun after the kill acknowledged %d ms after it; awaitFailover (master routed to by"
                + " namesrv and proxy) %d ms after it; %d sends failed%n",
            ackedAtKill,
            (elected - killedAt.get()) / 1_000_000,
            (firstSendAfterKill.get() - killedAt.get()) / 1_000_000,
            (failoverOver - killedAt.get()) / 1_000_000,
            failedSends.get());
      } finally {
        stop.set(true);
        sender.join(Duration.ofSeconds(30).toMillis());
      }
      assertThat(sender.isAlive()).isFalse();

      // Sends after the failover go through, one by one.
      for (int i = 0; i < 10; i++) {
        String body = "after-" + i;
        assertThat(producer.send(message(body)).getMessageId()).isNotNull();
        acknowledged.add(body);
      }

      Set<String> expected = Set.copyOf(acknowledged);
      await("every acknowledged message (" + expected.size() + ") consumed")
          .atMost(Duration.ofSeconds(90))
          .until(() -> distinctBodies(consumer).containsAll(expected));
      System.out.printf(
          "failover: %d acknowledged, %d distinct consumed, %d deliveries%n",
          expected.size(), distinctBodies(consumer).size(), consumer.received().size());
    }

    // The old master comes back as a replica of the new one and catches up.
    long t0 = System.nanoTime();
    cluster.start(oldMaster);
    cluster.awaitInSync(GROUP, FAILOVER);
    assertThat(cluster.master(GROUP)).contains("broker-a-1");
    System.out.printf(
        "failover: old master rejoined as an in-sync replica in %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
  }

  private static Set<String> distinctBodies(RawConsumer consumer) {
    Set<String> bodies = new HashSet<>();
    for (RawConsumer.Received r : consumer.received()) {
      bodies.add(r.body);
    }
    return bodies;
  }

  private static Message message(String body) {
    return PROVIDER
        .newMessageBuilder()
        .setTopic(topic)
        .setBody(body.getBytes(StandardCharsets.UTF_8))
        .build();
  }
}
