package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.Durability;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * The fallback path's figures: B4 store append throughput (1 and 8 threads, both durability modes)
 * beside the machine's raw fsync rate, and B5 the replay drain rate against the raw client's async
 * send rate on the same embedded broker in alternating rounds. Asserts nothing.
 */
final class FallbackBench {
  private static final byte[] BODY = SendBench.BODY;

  private FallbackBench() {}

  static List<Figure> append(BenchOptions options) throws Exception {
    int rounds = options.pick(3, 1);
    List<Figure> figures = new ArrayList<>();
    for (Durability durability : Durability.values()) {
      for (int threads : new int[] {1, 8}) {
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          int total = threads == 1 ? options.pick(2_000, 100) : options.pick(20_000, 400);
          rates.add(appendRate(options.scratch(), durability, threads, total));
        }
        Figure f =
            Figure.of("B4 fallback append " + durability + " " + threads + "t", "msg/s", rates);
        figures.add(
            durability == Durability.PROCESS_CRASH && threads == 8
                ? f.withGoal(Figure.Goal.atLeast(50_000))
                : f);
      }
    }
    List<Double> fsync = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      fsync.add(fsyncRate(options.scratch(), options.pick(500, 20)));
    }
    figures.add(Figure.of("B4 reference: raw fsync (1 KiB write + force) 1t", "ops/s", fsync));
    return figures;
  }

  /** The machine's own bound for POWER_LOSS: one appended 1 KiB write and force per op. */
  private static double fsyncRate(Path scratch, int count) throws IOException {
    Path file = Files.createTempFile(scratch, "fsync", ".bin");
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        ch.write(ByteBuffer.wrap(BODY));
        ch.force(false);
      }
      return count / seconds(start);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static double appendRate(Path scratch, Durability durability, int threads, int total)
      throws Exception {
    Path dir = Files.createTempDirectory(scratch, "append");
    try (JdbcFallbackStore store =
        JdbcFallbackStore.h2(
            FallbackStoreConfig.custom()
                .directory(dir)
                .durability(durability)
                .maxRows(10_000_000)
                .maxBytes(1L << 40)
                .build())) {
      AtomicInteger next = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(threads);
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        Thread worker =
            new Thread(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < total) {
                    store.append(
                        ReliableMessage.builder("bench").body(BODY).id("a-" + i).build(), false);
                  }
                  done.countDown();
                });
        worker.start();
      }
      done.await();
      return total / seconds(start);
    }
  }

  static List<Figure> replayDrain(EmbeddedRocketMQ mq, BenchOptions options) throws Exception {
    int count = Integer.getInteger("bench.replay.count", options.pick(50_000, 2_000));
    int rounds = 2;
    List<Double> sdk = new ArrayList<>();
    List<Double> raw = new ArrayList<>();
    String topic = EmbeddedRocketMQ.uniqueName("bench-replay");
    mq.createTopic(topic, TopicType.NORMAL);
    ClientSettings settings =
        ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build();
    for (int round = 0; round < rounds; round++) {
      if (round % 2 == 0) {
        raw.add(rawAsyncRate(mq.endpoints(), topic, count));
        sdk.add(drainRate(options.scratch(), settings, topic, count));
      } else {
        sdk.add(drainRate(options.scratch(), settings, topic, count));
        raw.add(rawAsyncRate(mq.endpoints(), topic, count));
      }
    }
    List<Double> ratios = Figure.ratios(sdk, raw);
    return List.of(
        Figure.of("B5 raw sendAsync, window 1024 (" + count + ")", "msg/s", raw),
        Figure.of("B5 replay drain (" + count + " stored)", "msg/s", sdk)
            .withRatio(Figure.of("", "", ratios).median()),
        Figure.of("B5 replay/raw sendAsync", "ratio", ratios).withGoal(Figure.Goal.atLeast(0.9)));
  }

  private static double drainRate(Path scratch, ClientSettings settings, String topic, int count)
      throws Exception {
    Path dir = Files.createTempDirectory(scratch, "replay");
    try (JdbcFallbackStore store =
        JdbcFallbackStore.h2(
            FallbackStoreConfig.custom().directory(dir).maxRows(10_000_000).build())) {
      fill(store, topic, count);
      long start = System.nanoTime();
      try (ReliableProducer producer =
          ReliableProducer.create(
              ReliableProducerConfig.custom(settings)
                  .fallbackStore(store)
                  .replay(
                      ReplayConfig.custom()
                          .maxRatePerSecond(1_000_000)
                          .idlePoll(Duration.ofMillis(10))
                          .build())
                  .build())) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (producer.fallback().orElseThrow().count() > 0) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("replay did not drain in 5 minutes");
          }
          // count() scans the table in H2: polled every 5 ms it took CPU from the replayer it
          // measures. 100 ms bounds the error below 1 % of a multi-second drain.
          Thread.sleep(100);
        }
        return count / seconds(start);
      }
    }
  }

  /** Fills a store from 8 threads, so appends share group commits; not timed. */
  static void fill(JdbcFallbackStore store, String topic, int count) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(8);
    for (int t = 0; t < 8; t++) {
      new Thread(
              () -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                  store.append(
                      ReliableMessage.builder(topic).body(BODY).id("f-" + i).build(), false);
                }
                done.countDown();
              },
              "bench-fill-" + t)
          .start();
    }
    done.await();
  }

  private static double rawAsyncRate(String endpoints, String topic, int count) throws Exception {
    ClientServiceProvider provider = ClientServiceProvider.loadService();
    try (Producer producer =
        provider
            .newProducerBuilder()
            .setClientConfiguration(
                ClientConfiguration.newBuilder().setEndpoints(endpoints).enableSsl(false).build())
            .setTopics(topic)
            .build()) {
      Semaphore window = new Semaphore(1024);
      CountDownLatch done = new CountDownLatch(count);
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        Message m = provider.newMessageBuilder().setTopic(topic).setBody(BODY).build();
        window.acquire();
        producer
            .sendAsync(m)
            .whenComplete(
                (r, e) -> {
                  window.release();
                  done.countDown();
                });
      }
      if (!done.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("raw sendAsync did not finish in 5 minutes");
      }
      return count / seconds(start);
    }
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
