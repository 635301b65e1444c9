package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.CapacityReservation;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * B8: recovery after a broker outage, with the SDK's defaults. The broker is SIGKILLed while a
 * producer keeps sending (its sends end STORED), restarted after the outage, and every figure is
 * counted from the moment the restarted proxy accepted a send from a fresh raw client (built for
 * each try, every 200 ms, so no reconnect backoff of its own delays it): (a) the first replayed
 * entry acknowledged (seen as the first delete of an acknowledged entry, which follows the ack on
 * the replayer's store thread), (b) the first stored message consumed by a {@link ReliableConsumer}
 * that ran through the outage, (c) the store empty. Beside it, the raw client: a client built
 * before the outage, retrying every 200 ms, and when its first send got through. {@code
 * -Dbench.recovery.outages=10,60,180} (seconds) picks the outages.
 */
final class RecoveryBench {
  private static final byte[] BODY = "recovery".getBytes(StandardCharsets.UTF_8);
  private static final long RETRY_MILLIS = 200;
  private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

  private RecoveryBench() {}

  static List<Figure> figures(EmbeddedRocketMQ mq, BenchOptions options) throws Exception {
    String spec = System.getProperty("bench.recovery.outages", options.quick() ? "5" : "10,60,180");
    List<Figure> figures = new ArrayList<>();
    String topic = EmbeddedRocketMQ.uniqueName("bench-recovery");
    mq.createTopic(topic, TopicType.NORMAL);
    for (String s : spec.split(",")) {
      int outage = Integer.parseInt(s.trim());
      figures.addAll(outage(mq, options, topic, outage));
    }
    return figures;
  }

  private static List<Figure> outage(
      EmbeddedRocketMQ mq, BenchOptions options, String topic, int outageSeconds) throws Exception {
    ClientSettings settings =
        ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build();
    Path dir = Files.createTempDirectory(options.scratch(), "recovery");
    Set<String> stored = ConcurrentHashMap.newKeySet();
    AtomicLong firstStoredConsumed = new AtomicLong();
    ClientServiceProvider provider = ClientServiceProvider.loadService();
    try (JdbcFallbackStore jdbc =
            JdbcFallbackStore.h2(
                FallbackStoreConfig.custom()
                    .directory(dir.resolve("fallback"))
                    .maxRows(10_000_000)
                    .build());
        FirstDelete store = new FirstDelete(jdbc);
        JdbcDedupStore dedup =
            JdbcDedupStore.h2(DedupStoreConfig.custom().directory(dir.resolve("dedup")).build());
        ReliableProducer producer =
            ReliableProducer.create(
                ReliableProducerConfig.custom(settings).fallbackStore(store).build());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ReliableConsumerConfig.custom(settings, EmbeddedRocketMQ.uniqueName("recovery"))
                    .subscribe(topic, "*")
                    .dedup(DedupConfig.ofDefaults(dedup))
                    .build(),
                m -> {
                  if (stored.contains(m.reliableId().orElse(""))) {
                    firstStoredConsumed.compareAndSet(0, System.nanoTime());
                  }
                });
        RawClient oldRaw = new RawClient(rawProducer(provider, mq.endpoints()))) {
      // Warm up: both clients connected and the consumer receiving before the outage.
      producer.send(ReliableMessage.builder(topic).body(BODY).build());
      oldRaw.producer.send(provider.newMessageBuilder().setTopic(topic).setBody(BODY).build());

      if (consumer.state() != io.reliablemq.consumer.ConsumerState.RUNNING) {
        throw new IllegalStateException("B8: the consumer is not running before the outage");
      }
      AtomicBoolean sending = new AtomicBoolean(true);
      Thread sender =
          new Thread(
              () -> {
                while (sending.get()) {
                  SendOutcome o = producer.send(ReliableMessage.builder(topic).body(BODY).build());
                  if (o.status() == SendStatus.STORED) {
                    stored.add(o.reliableId());
                  }
                  pause(10);
                }
              },
              "bench-recovery-sender");
      mq.kill();
      sender.start();
      Thread.sleep(TimeUnit.SECONDS.toMillis(outageSeconds));
      sending.set(false);
      sender.join();
      int storedCount = stored.size();

      AtomicLong freshReady = new AtomicLong();
      AtomicLong oldRawReady = new AtomicLong();
      Thread fresh =
          retrying(
              "bench-recovery-fresh-raw",
              freshReady,
              () -> {
                // Closed in the background so its close cannot delay the time of the send.
                RawClient p = new RawClient(rawProducer(provider, mq.endpoints()));
                try {
                  p.producer.send(
                      provider.newMessageBuilder().setTopic(topic).setBody(BODY).build());
                } finally {
                  p.closing();
                }
              });
      Thread old =
          retrying(
              "bench-recovery-old-raw",
              oldRawReady,
              () ->
                  oldRaw.producer.send(
                      provider.newMessageBuilder().setTopic(topic).setBody(BODY).build()));
      mq.restart();
      long deadline = System.nanoTime() + TIMEOUT_NANOS;
      long empty = 0;
      while (System.nanoTime() < deadline) {
        if (empty == 0 && jdbc.count() == 0) {
          empty = System.nanoTime();
        }
        if (empty != 0
            && firstStoredConsumed.get() != 0
            && freshReady.get() != 0
            && oldRawReady.get() != 0) {
          break;
        }
        // Polled: count() scans the H2 table, and the figures are seconds.
        pause(100);
      }
      fresh.interrupt();
      old.interrupt();
      fresh.join();
      old.join();
      long ready = freshReady.get();
      if (ready == 0 || empty == 0) {
        throw new IllegalStateException(
            "B8 outage " + outageSeconds + " s: no recovery within 10 minutes");
      }
      String name = "B8 outage " + outageSeconds + " s";
      List<Figure> out = new ArrayList<>();
      out.add(
          Figure.of(
                  name + ": first replay acked after proxy ready",
                  "s",
                  since(ready, store.first.get()))
              .withGoal(Figure.Goal.atMost(2)));
      out.add(
          Figure.of(
                  name + ": first stored message consumed after proxy ready",
                  "s",
                  since(ready, firstStoredConsumed.get()))
              .withGoal(Figure.Goal.atMost(2)));
      out.add(Figure.of(name + ": store empty after proxy ready", "s", since(ready, empty)));
      out.add(Figure.of(name + ": messages stored", "msgs", List.of((double) storedCount)));
      out.add(
          Figure.of(
              name + ": raw client built before the outage, first send after proxy ready",
              "s",
              since(ready, oldRawReady.get())));
      return out;
    }
  }

  /** Seconds from {@code ready} to {@code at}; negative when it happened first. */
  private static List<Double> since(long ready, long at) {
    if (at == 0) {
      throw new IllegalStateException("B8: an expected event did not happen within 10 minutes");
    }
    return List.of((at - ready) / 1e9);
  }

  private static Producer rawProducer(ClientServiceProvider provider, String endpoints)
      throws Exception {
    return provider
        .newProducerBuilder()
        .setClientConfiguration(
            ClientConfiguration.newBuilder().setEndpoints(endpoints).enableSsl(false).build())
        .build();
  }

  /**
   * A raw producer closed on a daemon thread with a bounded wait: after the broker was killed and
   * restarted the 5.2.0 client's {@code close()} was seen to wait forever on a gRPC channel's
   * termination (a thread dump showed {@code RpcClientImpl.shutdown} in {@code
   * awaitTermination(Long.MAX_VALUE)}), which hung this benchmark; the SDK closes its own clients
   * the same bounded way.
   */
  private static final class RawClient implements AutoCloseable {
    private static final long CLOSE_MILLIS = TimeUnit.SECONDS.toMillis(10);
    final Producer producer;

    RawClient(Producer producer) {
      this.producer = producer;
    }

    @Override
    public void close() {
      Thread closer = closing();
      try {
        closer.join(CLOSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (closer.isAlive()) {
        System.err.println("[bench] B8: a raw client's close did not finish in 10 s; left behind");
      }
    }

    /** Starts the close on a daemon thread and returns that thread. */
    Thread closing() {
      Thread closer =
          new Thread(
              () -> {
                try {
                  producer.close();
                } catch (Exception e) {
                  // Nothing to do: the benchmark is over with this client either way.
                }
              },
              "bench-recovery-raw-close");
      closer.setDaemon(true);
      closer.start();
      return closer;
    }
  }

  @FunctionalInterface
  private interface Attempt {
    void run() throws Exception;
  }

  /** Retries the attempt every 200 ms until it succeeds once, and records when. */
  private static Thread retrying(String name, AtomicLong succeededAt, Attempt attempt) {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  attempt.run();
                  succeededAt.set(System.nanoTime());
                  return;
                } catch (Exception | Error e) {
                  // Down still: try again.
                }
                if (!pause(RETRY_MILLIS)) {
                  return;
                }
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A store that notes when the replayer first deleted an acknowledged entry. */
  private static final class FirstDelete implements FallbackStore {
    private final FallbackStore store;
    final AtomicLong first = new AtomicLong();

    FirstDelete(FallbackStore store) {
      this.store = store;
    }

    private void deleted(int n) {
      if (n > 0) {
        first.compareAndSet(0, System.nanoTime());
      }
    }

    @Override
    public StoredEntry append(ReliableMessage message, boolean transactional) {
      return store.append(message, transactional);
    }

    @Override
    public CapacityReservation reserve(int bodyBytes) {
      return store.reserve(bodyBytes);
    }

    @Override
    public StoredEntry append(
        ReliableMessage message, boolean transactional, CapacityReservation reservation) {
      return store.append(message, transactional, reservation);
    }

    @Override
    public boolean holdsGroup(String topic, String messageGroup) {
      return store.holdsGroup(topic, messageGroup);
    }

    @Override
    public List<StoredEntry> claim(String owner, int max, Duration lease) {
      return store.claim(owner, max, lease);
    }

    @Override
    public boolean delete(String id) {
      boolean done = store.delete(id);
      deleted(done ? 1 : 0);
      return done;
    }

    @Override
    public int deleteAll(Collection<String> ids) {
      int n = store.deleteAll(ids);
      deleted(n);
      return n;
    }

    @Override
    public void recordFailure(String id, String error) {
      store.recordFailure(id, error);
    }

    @Override
    public int release(String owner, Collection<String> ids) {
      return store.release(owner, ids);
    }

    @Override
    public int releaseOwner(String owner) {
      return store.releaseOwner(owner);
    }

    @Override
    public void park(String id, String error) {
      store.park(id, error);
    }

    @Override
    public boolean unpark(String id) {
      return store.unpark(id);
    }

    @Override
    public List<BlockedGroup> blockedGroups(int limit) {
      return store.blockedGroups(limit);
    }

    @Override
    public long countBlockedGroups() {
      return store.countBlockedGroups();
    }

    @Override
    public long count() {
      return store.count();
    }

    @Override
    public long count(EntryState state) {
      return store.count(state);
    }

    @Override
    public Optional<Instant> oldestStoredAt() {
      return store.oldestStoredAt();
    }

    @Override
    public List<StoredEntry> list(long offset, int limit) {
      return store.list(offset, limit);
    }

    @Override
    public Optional<StoredEntry> find(String id) {
      return store.find(id);
    }

    @Override
    public void close() {
      // The underlying store is closed by its own try-with-resources.
    }
  }
}
