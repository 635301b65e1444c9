package io.reliablemq.it.cluster;

import static io.reliablemq.it.support.BoundedClose.closeWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.it.support.ChildJvm;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.test.ClusterLayout;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQCluster;
import io.reliablemq.test.EmbeddedRocketMQClusterExtension;
import io.reliablemq.test.TopicType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The test kit's cluster, used the way an outside project would, with the raw {@code
 * rocketmq-client-java}: 1 NameServer, 2 broker groups, 2 proxies in CLUSTER mode, each its own
 * JVM. One cluster for the class; each fault test puts back what it broke. Brokers re-register
 * every 10 s (RocketMQ's minimum) so the NameServer restart heals within the test's budget.
 */
@ExtendWith(EmbeddedRocketMQClusterExtension.class)
@ClusterLayout(
    nameServers = 1,
    brokerGroups = 2,
    proxies = 2,
    brokerProperties = "registerNameServerPeriod=10000")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedRocketMQClusterIT {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
  private static final Duration HEAL = Duration.ofSeconds(60);

  private static long classStart;

  /** Runs before the cluster parameter of {@link #start} is resolved: times the cluster start. */
  @RegisterExtension
  static final BeforeAllCallback CLOCK = context -> classStart = System.nanoTime();

  private static EmbeddedRocketMQCluster cluster;
  private static String topic;
  private static Producer producer;
  private static final AtomicInteger SEQ = new AtomicInteger();

  @BeforeAll
  static void start(EmbeddedRocketMQCluster c) throws Exception {
    cluster = c;
    report("cluster start (5 JVMs)", classStart);
    long t0 = System.nanoTime();
    topic = EmbeddedRocketMQ.uniqueName("cluster");
    cluster.createTopic(topic, TopicType.NORMAL);
    report("createTopic on 2 groups, served by 2 proxies", t0);
    producer =
        PROVIDER
            .newProducerBuilder()
            .setClientConfiguration(clientConfig(cluster.endpoints()))
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
  @Order(1)
  void startsEveryNodeInItsOwnJvm_andBothProxiesServeATopicOfBothGroups() throws Exception {
    assertThat(cluster.nodes())
        .containsExactly("namesrv-0", "broker-a", "broker-b", "proxy-0", "proxy-1");
    Set<Long> pids = new HashSet<>();
    for (String node : cluster.nodes()) {
      assertThat(cluster.isRunning(node)).as(node).isTrue();
      pids.add(cluster.pid(node));
    }
    assertThat(pids).hasSize(5).doesNotContain(ProcessHandle.current().pid());
    assertThat(cluster.endpoints().split(";"))
        .containsExactly(cluster.endpoint("proxy-0"), cluster.endpoint("proxy-1"));

    long t0 = System.nanoTime();
    String group = EmbeddedRocketMQ.uniqueName("cluster-group");
    cluster.createConsumerGroup(group, false);
    try (RawConsumer consumer = RawConsumer.start(cluster.endpoints(), group, topic)) {
      Set<String> sent = new HashSet<>();
      for (int i = 0; i < 32; i++) {
        String body = "m-" + SEQ.incrementAndGet();
        producer.send(message(body));
        sent.add(body);
      }
      // The proxy spreads sends over the queues of both groups.
      assertThat(cluster.storedMessageCount("broker-a", topic)).isPositive();
      assertThat(cluster.storedMessageCount("broker-b", topic)).isPositive();
      await("the consumer to receive all 32 messages")
          .atMost(HEAL)
          .until(() -> bodies(consumer.received()).containsAll(sent));
    }
    report("32 sends on both groups, all received", t0);

    // Every proxy serves the route on its own, not only the one the client picked.
    for (String proxy : cluster.proxies()) {
      try (Producer single =
          PROVIDER
              .newProducerBuilder()
              .setClientConfiguration(clientConfig(cluster.endpoint(proxy)))
              .setTopics(topic)
              .build()) {
        assertThat(single.send(message("via-" + proxy)).getMessageId()).isNotNull();
      }
    }
  }

  @Test
  @Order(2)
  void fifoTopicAndOrderlyGroup_deliverOneMessageGroupInOrder() throws Exception {
    long t0 = System.nanoTime();
    String fifoTopic = EmbeddedRocketMQ.uniqueName("cluster-fifo");
    String group = EmbeddedRocketMQ.uniqueName("cluster-fifo-group");
    cluster.createTopic(fifoTopic, TopicType.FIFO, 2);
    cluster.createConsumerGroup(group, true);
    try (RawConsumer consumer = RawConsumer.start(cluster.endpoints(), group, fifoTopic);
        Producer fifo =
            PROVIDER
                .newProducerBuilder()
                .setClientConfiguration(clientConfig(cluster.endpoints()))
                .setTopics(fifoTopic)
                .build()) {
      for (int i = 0; i < 20; i++) {
        fifo.send(
            PROVIDER
                .newMessageBuilder()
                .setTopic(fifoTopic)
                .setMessageGroup("g1")
                .setBody(Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                .build());
      }
      await("20 FIFO messages").atMost(HEAL).until(() -> consumer.received().size() >= 20);
      List<String> order = bodies(consumer.received()).subList(0, 20);
      assertThat(order)
          .containsExactly(
              "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
              "16", "17", "18", "19");
    }
    report("FIFO topic + orderly group, 20 in order", t0);
  }

  @Test
  @Order(3)
  void brokerGroupKilled_sendsThroughTheProxiesGoOn_andTheGroupServesAgainAfterRestart()
      throws Exception {
    long pid = cluster.pid("broker-b");
    long t0 = System.nanoTime();
    cluster.kill("broker-b");
    assertThat(cluster.isRunning("broker-b")).isFalse();
    assertThat(ProcessHandle.of(pid)).isEmpty();

    int ok = 0;
    int failed = 0;
    for (int i = 0; i < 40; i++) {
      try {
        producer.send(message("b-down-" + SEQ.incrementAndGet()));
        ok++;
      } catch (Exception e) {
        failed++;
      }
    }
    System.out.printf("raw client, 40 sends with broker-b killed: %d ok, %d failed%n", ok, failed);
    assertThat(ok).as("sends that went through broker-a").isPositive();
    report("kill broker-b + 40 sends", t0);

    t0 = System.nanoTime();
    cluster.start("broker-b");
    assertThat(cluster.isRunning("broker-b")).isTrue();
    assertThat(cluster.pid("broker-b")).isNotEqualTo(pid);
    long before = cluster.storedMessageCount("broker-b", topic);
    report("restart broker-b (registered)", t0);
    t0 = System.nanoTime();
    cluster.awaitRoute(topic, HEAL);
    report("both proxies route to broker-b again", t0);
    await("broker-b to take writes again")
        .atMost(HEAL)
        .until(
            () -> {
              sendQuietly("b-back-" + SEQ.incrementAndGet());
              return cluster.storedMessageCount("broker-b", topic) > before;
            });
  }

  @Test
  @Order(4)
  void proxyKilled_aClientGivenBothEndpointsStillSends() throws Exception {
    long pid = cluster.pid("proxy-0");
    long t0 = System.nanoTime();
    cluster.kill("proxy-0");
    assertThat(cluster.isRunning("proxy-0")).isFalse();
    assertThat(ProcessHandle.of(pid)).isEmpty();
    AtomicInteger failed = new AtomicInteger();
    await("a send through proxy-1")
        .atMost(HEAL)
        .until(
            () -> {
              boolean sent = sendQuietly("p-down-" + SEQ.incrementAndGet());
              if (!sent) {
                failed.incrementAndGet();
              }
              return sent;
            });
    int ok = 0;
    for (int i = 0; i < 20; i++) {
      if (sendQuietly("p-down-" + SEQ.incrementAndGet())) {
        ok++;
      } else {
        failed.incrementAndGet();
      }
    }
    System.out.printf(
        "raw client with proxy-0 killed: %d failed before the first success, then %d/20 ok%n",
        failed.get(), ok);
    assertThat(ok).isPositive();
    report("kill proxy-0, sends via proxy-1", t0);

    t0 = System.nanoTime();
    cluster.restart("proxy-0");
    assertThat(cluster.isRunning("proxy-0")).isTrue();
    try (Producer single =
        PROVIDER
            .newProducerBuilder()
            .setClientConfiguration(clientConfig(cluster.endpoint("proxy-0")))
            .setTopics(topic)
            .build()) {
      assertThat(single.send(message("proxy-0-back")).getMessageId()).isNotNull();
    }
    report("restart proxy-0, serves again", t0);
  }

  @Test
  @Order(5)
  void nameServerKilledAndRestarted_theClusterServesAgain() throws Exception {
    long pid = cluster.pid("namesrv-0");
    long t0 = System.nanoTime();
    cluster.kill("namesrv-0");
    assertThat(cluster.isRunning("namesrv-0")).isFalse();
    assertThat(ProcessHandle.of(pid)).isEmpty();
    cluster.start("namesrv-0");
    assertThat(cluster.isRunning("namesrv-0")).isTrue();
    report("kill + restart namesrv-0", t0);

    t0 = System.nanoTime();
    // The NameServer came back empty: it routes the topic again once both brokers re-registered.
    cluster.awaitRoute(topic, HEAL);
    report("namesrv-0 and both proxies route to both groups again", t0);

    t0 = System.nanoTime();
    long a = cluster.storedMessageCount("broker-a", topic);
    long b = cluster.storedMessageCount("broker-b", topic);
    AtomicInteger failed = new AtomicInteger();
    await("both groups to take writes again after the NameServer restart")
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              if (!sendQuietly("ns-" + SEQ.incrementAndGet())) {
                failed.incrementAndGet();
              }
              return cluster.storedMessageCount("broker-a", topic) > a
                  && cluster.storedMessageCount("broker-b", topic) > b;
            });
    System.out.printf("raw client after the NameServer restart: %d failed sends%n", failed.get());
    report("both groups take writes again", t0);
    try (Producer fresh =
        PROVIDER
            .newProducerBuilder()
            .setClientConfiguration(clientConfig(cluster.endpoints()))
            .setTopics(topic)
            .build()) {
      assertThat(fresh.send(message("after-ns-restart")).getMessageId()).isNotNull();
    }
  }

  @Test
  @Order(6)
  void ownerJvmKilled_everyNodeExitsWithIt() throws Exception {
    long t0 = System.nanoTime();
    Path logDir = Files.createDirectories(Path.of("target", "cluster-owner"));
    try (ChildJvm owner = ChildJvm.start("cluster-owner", logDir, ClusterOwnerApp.class)) {
      owner.awaitLine(Duration.ofSeconds(180), "the cluster's pids", l -> l.startsWith("PIDS "));
      List<Long> pids =
          owner.lines().stream()
              .filter(l -> l.startsWith("PIDS "))
              .flatMap(l -> Arrays.stream(l.substring(5).split(" ")))
              .map(Long::parseLong)
              .toList();
      assertThat(pids).hasSize(3);
      assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
      report("small cluster (3 JVMs) started by another JVM", t0);

      t0 = System.nanoTime();
      // SIGKILL: no shutdown hook runs, so only the nodes' stdin EOF can end them.
      owner.kill();
      assertThat(owner.isAlive()).isFalse();
      await("every node of the killed JVM's cluster to exit")
          .atMost(HEAL)
          .until(() -> pids.stream().allMatch(EmbeddedRocketMQClusterIT::exited));
      report("nodes gone after their owner's SIGKILL", t0);
    }
  }

  /** Gone, or a zombie: an orphan is reaped by PID 1, which a container may never do. */
  private static boolean exited(long pid) {
    if (ProcessHandle.of(pid).isEmpty()) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }

  private static boolean sendQuietly(String body) {
    try {
      producer.send(message(body));
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static ClientConfiguration clientConfig(String endpoints) {
    return ClientConfiguration.newBuilder()
        .setEndpoints(endpoints)
        .enableSsl(false)
        .setRequestTimeout(Duration.ofSeconds(3))
        .build();
  }

  private static Message message(String body) {
    return PROVIDER
        .newMessageBuilder()
        .setTopic(topic)
        .setBody(body.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static List<String> bodies(List<RawConsumer.Received> received) {
    return received.stream().map(r -> r.body).toList();
  }

  private static void report(String step, long startNanos) {
    System.out.printf(
        "cluster-it step: %s: %d ms%n", step, (System.nanoTime() - startNanos) / 1_000_000);
  }
}
