package io.reliablemq.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.it.fault.Nemesis.Fault;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQCluster;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The zero-loss fault suite on a real cluster: one NameServer, two broker groups, two proxies in
 * CLUSTER mode, each node its own JVM; the producer and consumer applications are given both
 * proxies' endpoints. The faults are the partial ones production sees most: one broker group dies
 * while the other serves, the NameServer restarts empty, one proxy of two dies ({@link
 * ClusterFailoverFaultIT}: a master fails over). Each scenario ends with the checker finding
 * nothing lost, nothing processed twice and no FIFO group out of order, and writes its figures to
 * {@code target/fault-results/<scenario>.json}; the raw client runs beside the SDK through the same
 * faults for comparison.
 */
class ClusterFaultIT {
  static final long SEED = Long.getLong("fault.seed", System.nanoTime());
  private static final Duration DRAIN = Duration.ofSeconds(150);
  private static final Duration CONSUME = Duration.ofSeconds(120);

  /** About 60 sends/s for about 20 s. */
  static final FaultRun.Load SHORT = new FaultRun.Load(4, 300, 60);

  /** About 60 sends/s for about 80 s: a minute of load after the group kill. */
  private static final FaultRun.Load LONG = new FaultRun.Load(4, 1200, 60);

  private static final long WINDOW_MS = 60_000;

  private static EmbeddedRocketMQCluster cluster;

  @BeforeAll
  static void startCluster() {
    System.out.println("ClusterFaultIT seed " + SEED + " (replay with -Dfault.seed=" + SEED + ")");
    // The proxies' invisibility 15 s instead of 60 s, as in the single-broker suite; everything
    // else (route refresh 20 s, broker registration every 30 s) stays at RocketMQ's defaults.
    cluster =
        EmbeddedRocketMQCluster.builder()
            .nameServers(1)
            .brokerGroups(2)
            .proxies(2)
            .proxyProperty("defaultInvisibleTimeMills", "15000")
            .brokerProperty("flushConsumerOffsetInterval", "1000")
            .build()
            .start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void sendsGoThroughTheLiveGroup_whenOneBrokerGroupIsKilled() throws Exception {
    Map<String, String> figures =
        check(
            "broker-group-kill",
            11,
            Fault.BROKER_GROUP_KILL,
            LONG,
            (run) -> {
              assertThat(cluster.storedMessageCount("broker-a", run.normalTopic()))
                  .as("group a took writes")
                  .isPositive();
            });
    // FIFO groups whose queue is on the dead group wait in the store behind their fence until the
    // proxies' routes move them (up to 20 s): their order is worth more than the detour.
    assertThat(Double.parseDouble(figures.get("sdkNormalSentShareAfterFault")))
        .as(
            "share of SDK sends without group in the minute after the kill that ended SENT; %s",
            figures)
        .isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void nothingThrowsOrParks_whenTheNameServerRestartsEmpty() throws Exception {
    check("nameserver-restart", 12, Fault.NAMESERVER_RESTART, SHORT, run -> {});
  }

  @Test
  void sendsAndConsumptionContinue_whenOneOfTwoProxiesIsKilled() throws Exception {
    check("proxy-kill", 13, Fault.PROXY_KILL, SHORT, run -> {});
  }

  /** One fault of the given kind under load; returns the scenario's own figures. */
  private Map<String, String> check(
      String scenario, int salt, Fault fault, FaultRun.Load load, Consumer<FaultRun> more)
      throws Exception {
    return check(cluster, scenario, salt, fault, load, more);
  }

  /** One fault of the given kind under load on the given cluster; the scenario's own figures. */
  static Map<String, String> check(
      EmbeddedRocketMQCluster cluster,
      String scenario,
      int salt,
      Fault fault,
      FaultRun.Load load,
      Consumer<FaultRun> more)
      throws Exception {
    Random random = new Random(SEED * 31 + salt);
    long t0 = System.nanoTime();
    Checker.Reconciliation r;
    Nemesis nemesis;
    Map<String, String> figures = new LinkedHashMap<>();
    String rawTopic = EmbeddedRocketMQ.uniqueName("fault-raw");
    cluster.createTopic(rawTopic, TopicType.NORMAL, 4);
    cluster.awaitRoute(rawTopic, Duration.ofSeconds(60));
    List<String> sendFailures;
    // Kept under target/ (not a temporary directory): a failed scenario's logs stay to be read.
    Path dir =
        Path.of("target", "fault-work", scenario + "-" + System.currentTimeMillis())
            .toAbsolutePath();
    try (FaultRun run = new FaultRun(scenario, SEED, cluster, dir, load);
        RawSender raw = new RawSender(cluster.endpoints(), rawTopic, 15)) {
      run.start();
      nemesis = new Nemesis(random, run);
      nemesis.unleash(List.of(fault), 1, 1500);
      if (nemesis.failoverSeconds() != null) {
        figures.put(
            "failoverSeconds",
            String.format(java.util.Locale.ROOT, "%.1f", nemesis.failoverSeconds()));
      }
      sendFailures = run.sendFailures();
      r = run.finish(DRAIN, CONSUME);
      long from = nemesis.firstAt().get(fault);
      window(figures, "sdk", run, from);
      List<RawSender.Send> rawSends = raw.between(from, from + WINDOW_MS);
      figures.put("rawSendsAfterFault", Integer.toString(rawSends.size()));
      figures.put(
          "rawFailedAfterFault",
          Long.toString(rawSends.stream().filter(s -> s.error() != null).count()));
      figures.put(
          "rawErrors",
          Checker.Reconciliation.quoted(
              String.join(
                  ",",
                  rawSends.stream()
                      .filter(s -> s.error() != null)
                      .map(RawSender.Send::error)
                      .distinct()
                      .toList())));
      figures.put(
          "rawP99MicrosAfterFault",
          Long.toString(p99(rawSends.stream().map(RawSender.Send::micros).toList())));
      more.accept(run);
    }
    long seconds = (System.nanoTime() - t0) / 1_000_000_000;
    figures.put("sdkSendFailed", Integer.toString(sendFailures.size()));
    System.out.printf("FAULT %s took %d s; %s%n", scenario, seconds, figures);
    r.writeJson(Path.of("target", "fault-results"), seconds, figures);
    assertThat(nemesis.done()).as("faults injected").containsEntry(fault, 1);
    assertThat(r.acknowledged()).as("acknowledged").isGreaterThan(0);
    assertThat(sendFailures).as("sends that threw; %s", r.summary()).isEmpty();
    assertThat(r.lost()).as("lost, e.g. %s; %s", r.lostSample(), r.summary()).isZero();
    assertThat(r.duplicated()).as("duplicated; %s", r.summary()).isZero();
    assertThat(r.outOfOrder()).as("out of order; %s", r.summary()).isZero();
    return figures;
  }

  /** The SDK's sends acknowledged in the minute after the fault: SENT/STORED counts and p99. */
  private static void window(Map<String, String> figures, String prefix, FaultRun run, long from) {
    List<AckLog.Ack> acks =
        AckLog.read(run.ackFile()).stream()
            .filter(a -> a.atMillis() >= from && a.atMillis() < from + WINDOW_MS)
            .toList();
    counts(figures, prefix, acks);
    counts(figures, prefix + "Normal", acks.stream().filter(a -> a.group() == null).toList());
    counts(figures, prefix + "Fifo", acks.stream().filter(a -> a.group() != null).toList());
  }

  private static void counts(Map<String, String> figures, String prefix, List<AckLog.Ack> acks) {
    long sent = acks.stream().filter(a -> a.status().equals("SENT")).count();
    long stored = acks.size() - sent;
    figures.put(prefix + "SentAfterFault", Long.toString(sent));
    figures.put(prefix + "StoredAfterFault", Long.toString(stored));
    figures.put(
        prefix + "SentShareAfterFault",
        String.format(
            java.util.Locale.ROOT, "%.4f", acks.isEmpty() ? 0.0 : sent / (double) acks.size()));
    figures.put(
        prefix + "P99MicrosAfterFault",
        Long.toString(p99(acks.stream().map(AckLog.Ack::micros).toList())));
  }

  private static long p99(List<Long> values) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
  }
}
