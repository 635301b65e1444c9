package io.reliablemq.it.fault;

import static org.awaitility.Awaitility.await;

import io.reliablemq.it.support.ChildJvm;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQCluster;
import io.reliablemq.test.TopicType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One fault-suite run: its own topics and consumer groups on the given broker, a {@link
 * FaultProducerApp} and a {@link FaultConsumerApp} in child JVMs, the levers the {@link Nemesis}
 * pulls, and the final reconciliation.
 */
final class FaultRun implements AutoCloseable {
  /** Sizing of a run. */
  record Load(int threads, long perThread, long pauseMs) {
    long total() {
      return threads * perThread;
    }
  }

  private final String scenario;
  private final long seed;
  private final EmbeddedRocketMQ mq;
  private final EmbeddedRocketMQCluster cluster;
  private final Path work;
  private final Load load;
  private final String normalTopic = EmbeddedRocketMQ.uniqueName("fault-n");
  private final String fifoTopic = EmbeddedRocketMQ.uniqueName("fault-f");
  private final String normalGroup = EmbeddedRocketMQ.uniqueName("fault-gn");
  private final String fifoGroup = EmbeddedRocketMQ.uniqueName("fault-gf");
  private final List<String> faults = new CopyOnWriteArrayList<>();
  // Cluster nodes a fault leaves down on purpose: brokerUp() does not start them.
  private final Set<String> leftDown = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<ChildJvm> consumers = new ArrayList<>();
  private ChildJvm producer;
  private int producerStarts;
  private long receivedByDead;

  FaultRun(String scenario, long seed, EmbeddedRocketMQ mq, Path work, Load load) {
    this(scenario, seed, mq, null, work, load);
  }

  /** A run on a cluster: the producer and the consumer are given every proxy's endpoint. */
  FaultRun(String scenario, long seed, EmbeddedRocketMQCluster cluster, Path work, Load load) {
    this(scenario, seed, null, cluster, work, load);
  }

  private FaultRun(
      String scenario,
      long seed,
      EmbeddedRocketMQ mq,
      EmbeddedRocketMQCluster cluster,
      Path work,
      Load load) {
    this.scenario = scenario;
    this.seed = seed;
    this.mq = mq;
    this.cluster = cluster;
    this.work = work;
    this.load = load;
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates the topics and groups, starts the consumer, then the producer. */
  void start() {
    if (cluster != null) {
      cluster.createTopic(normalTopic, TopicType.NORMAL, 4);
      cluster.createTopic(fifoTopic, TopicType.FIFO, 4);
      cluster.createConsumerGroup(normalGroup, false);
      cluster.createConsumerGroup(fifoGroup, true);
      cluster.awaitRoute(normalTopic, Duration.ofSeconds(60));
      cluster.awaitRoute(fifoTopic, Duration.ofSeconds(60));
    } else {
      mq.createTopic(normalTopic, TopicType.NORMAL, 4);
      mq.createTopic(fifoTopic, TopicType.FIFO, 4);
      mq.createConsumerGroup(normalGroup, false);
      mq.createConsumerGroup(fifoGroup, true);
    }
    startConsumer();
    startProducer();
    // A new group's first receive starts it at the queue's end, and the broker persists that
    // starting offset only every flushConsumerOffsetInterval: a SIGKILL before then lets the
    // restarted broker start the group at the end again, past what was sent meanwhile. A group
    // that has consumed from both topics has its offsets; faults start after that.
    await(scenario + ": consumer warmed up on both topics")
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                consumer().printed(l -> l.startsWith("P ") && l.endsWith(" F"))
                    && consumer().printed(l -> l.startsWith("P ") && l.endsWith(" -")));
  }

  // ---- levers ----------------------------------------------------------------------------

  void fault(String what) {
    faults.add(what);
  }

  List<String> faults() {
    return faults;
  }

  EmbeddedRocketMQ broker() {
    if (mq == null) {
      throw new IllegalStateException(scenario + " runs on a cluster");
    }
    return mq;
  }

  EmbeddedRocketMQCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException(scenario + " runs on one broker");
    }
    return cluster;
  }

  /** Keeps a cluster node down for the rest of the run (brokerUp() leaves it). */
  void leaveDown(String node) {
    leftDown.add(node);
  }

  String scenario() {
    return scenario;
  }

  String normalTopic() {
    return normalTopic;
  }

  private String endpoints() {
    return cluster != null ? cluster.endpoints() : mq.endpoints();
  }

  /**
   * Brings the broker (or every node of the cluster) back unless it runs; after a SIGKILL this is a
   * start on the same store.
   */
  void brokerUp() {
    if (cluster != null) {
      for (String node : cluster.nodes()) {
        if (!cluster.isRunning(node) && !leftDown.contains(node)) {
          long t0 = System.nanoTime();
          cluster.start(node);
          fault(String.format("%s up in %.1f s", node, (System.nanoTime() - t0) / 1e9));
        }
      }
      return;
    }
    if (!mq.isRunning()) {
      long t0 = System.nanoTime();
      mq.restart();
      fault(String.format("broker up in %.1f s", (System.nanoTime() - t0) / 1e9));
    }
  }

  synchronized void startProducer() {
    producer =
        ChildJvm.start(
            "producer-" + producerStarts++,
            work,
            FaultProducerApp.class,
            work.resolve("store").toString(),
            ackFile().toString(),
            endpoints(),
            normalTopic,
            fifoTopic,
            Integer.toString(load.threads()),
            Long.toString(load.perThread()),
            Long.toString(load.pauseMs()));
    producer.awaitLine(Duration.ofSeconds(90), "READY", "READY"::equals);
  }

  synchronized ChildJvm producer() {
    return producer;
  }

  synchronized void startConsumer() {
    ChildJvm c =
        ChildJvm.start(
            "consumer-" + consumers.size(),
            work,
            FaultConsumerApp.class,
            work.resolve("business").toString(),
            endpoints(),
            normalGroup,
            normalTopic,
            fifoGroup,
            fifoTopic);
    consumers.add(c);
    c.awaitLine(Duration.ofSeconds(90), "READY", "READY"::equals);
  }

  synchronized ChildJvm consumer() {
    return consumers.get(consumers.size() - 1);
  }

  synchronized void killConsumer() {
    ChildJvm c = consumer();
    c.kill();
    receivedByDead += deliveries(c);
  }

  /** Whether the producer has sent everything (it may still be draining its store). */
  boolean producerDone() {
    return producer().printed("DONE"::equals);
  }

  long ackBytes() {
    try {
      return Files.exists(ackFile()) ? Files.size(ackFile()) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits (bounded) until the producer logged about {@code acks} more acknowledgements or is done.
   */
  void awaitProducerProgress(int acks, Duration timeout) {
    long from = ackBytes();
    await(scenario + ": producer progress")
        .atMost(timeout)
        .until(() -> producerDone() || ackBytes() - from >= acks * 60L);
  }

  /** Waits (bounded) until the consumer committed {@code rows} more rows, or timeout passes. */
  boolean awaitConsumerProgress(int rows, Duration timeout) {
    ChildJvm c = consumer();
    long from = c.lines().stream().filter(l -> l.startsWith("P ")).count();
    try {
      await(scenario + ": consumer progress")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> c.lines().stream().filter(l -> l.startsWith("P ")).count() - from >= rows);
      return true;
    } catch (ConditionTimeoutException e) {
      return false; // the caller decides whether no progress is a failure
    }
  }

  // ---- the end --------------------------------------------------------------------------

  /**
   * Brings everything up, waits (bounded) for the producer to drain its store and for the consumer
   * to have committed every acknowledged id, stops both, and reconciles.
   */
  /** The longest the load may still run after the faults. */
  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

  Checker.Reconciliation finish(Duration drainTimeout, Duration consumeTimeout) throws Exception {
    brokerUp();
    if (!producer().isAlive()) {
      startProducer();
    }
    if (!consumer().isAlive()) {
      startConsumer();
    }
    // The drain is timed from the end of the load, not from the end of the faults: on two loaded
    // cores the load itself (sync sends, paced) may run a minute longer than planned, and that is
    // no slower drain (the drain bound once failed while the store had been empty for minutes).
    long loadFrom = System.nanoTime();
    producer().awaitLine(LOAD_TIMEOUT, "DONE (every message sent)", "DONE"::equals);
    long t0 = System.nanoTime();
    producer().awaitLine(drainTimeout, "DRAINED (store empty)", "DRAINED"::equals);
    long drained = System.nanoTime();
    Set<String> owed = new HashSet<>();
    AckLog.read(ackFile()).forEach(a -> owed.add(a.id()));
    Set<String> seen = new HashSet<>();
    int[] scanned = new int[1024];
    try {
      // On this thread: the scan keeps its place in seen and scanned between polls, and a scan
      // left running past the bound on a poller thread would race the kills below.
      await(scenario + ": every acknowledged id consumed")
          .atMost(consumeTimeout)
          .pollInterval(Duration.ofMillis(200))
          .pollInSameThread()
          .until(
              () -> {
                synchronized (this) {
                  for (int i = 0; i < consumers.size(); i++) {
                    List<String> lines = consumers.get(i).lines();
                    for (; scanned[i] < lines.size(); scanned[i]++) {
                      String l = lines.get(scanned[i]);
                      if (l.startsWith("P ")) {
                        seen.add(l.split(" ")[1]);
                      }
                    }
                  }
                }
                return seen.containsAll(owed);
              });
    } catch (ConditionTimeoutException e) {
      // Not a failure by itself: the reconciliation below counts and names what is missing.
    }
    fault(
        String.format(
            "end: load done %.1f s after the faults, drained in %.1f s, consumed %.1f s later",
            (t0 - loadFrom) / 1e9, (drained - t0) / 1e9, (System.nanoTime() - drained) / 1e9));
    producer().kill();
    killConsumer();
    Checker.Reconciliation r =
        Checker.reconcile(
            scenario,
            seed,
            AckLog.read(ackFile()),
            Checker.readProcessed(work.resolve("business")),
            receivedByDead,
            String.join(", ", faults));
    System.out.println(r.summary());
    if (r.lost() > 0) {
      System.out.println("FAULT " + scenario + " lost sample: " + r.lostSample());
    }
    return r;
  }

  /** The lines the current and earlier producers printed when a send threw. */
  synchronized List<String> sendFailures() {
    return producer.lines().stream().filter(l -> l.startsWith("SEND-FAILED ")).toList();
  }

  Path ackFile() {
    return work.resolve("acks.log");
  }

  private static long deliveries(ChildJvm c) {
    List<String> lines = c.lines();
    for (int i = lines.size() - 1; i >= 0; i--) {
      String[] p = lines.get(i).split(" ");
      if (p.length == 3 && p[0].equals("STATS")) {
        return Long.parseLong(p[1]);
      }
    }
    return 0;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    // What the applications printed, next to their stderr and client logs, for a failed run.
    try {
      if (producer != null) {
        Files.write(work.resolve("producer.out"), producer.lines());
      }
      for (int i = 0; i < consumers.size(); i++) {
        Files.write(work.resolve("consumer-" + i + ".out"), consumers.get(i).lines());
      }
    } catch (IOException e) {
      System.out.println(scenario + ": could not keep the applications' output: " + e);
    }
    if (producer != null) {
      producer.close();
    }
    consumers.forEach(ChildJvm::close);
  }
}
