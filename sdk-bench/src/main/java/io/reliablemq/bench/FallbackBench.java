package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.Durability;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * The fallback path's figures: store append throughput (1 and 8 threads, both durability modes),
 * send latency while the circuit is open, and the replay drain rate against the raw client's async
 * send rate on the same embedded broker in the same run. Asserts nothing.
 */
final class FallbackBench {
  private static final byte[] BODY = new byte[1024];
  private static final int ROUNDS = 3;

  private FallbackBench() {}

  /**
   * Runs the fallback figures selected by {@code only}.
   *
   * @param scratch a scratch directory
   * @param only the figure ids to run, e.g. {@code B3,B4,B5}
   * @return table rows
   * @throws Exception on a setup failure
   */
  static List<String> rows(Path scratch, String only) throws Exception {
    int replayCount = Integer.getInteger("bench.replay.count", 50_000);
    List<String> rows = new ArrayList<>();
    if (only.contains("B4")) {
      for (Durability durability : Durability.values()) {
        for (int threads : new int[] {1, 8}) {
          List<Double> rates = new ArrayList<>();
          for (int round = 0; round < ROUNDS; round++) {
            rates.add(appendRate(scratch, durability, threads, threads == 1 ? 5_000 : 20_000));
          }
          rows.add(row("B4 append " + durability + " " + threads + "t", rates, "msg/s"));
        }
      }
    }
    if (only.contains("B3")) {
      rows.add(circuitOpenLatency(scratch));
    }
    if (only.contains("B5")) {
      rows.addAll(replayDrain(scratch, replayCount));
    }
    return rows;
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

  private static String circuitOpenLatency(Path scratch) throws Exception {
    Path dir = Files.createTempDirectory(scratch, "circuit");
    String nowhere = "127.0.0.1:" + freePort();
    try (JdbcFallbackStore store =
            JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(dir).build());
        ReliableProducer producer =
            ReliableProducer.create(
                ReliableProducerConfig.custom(
                        ClientSettings.custom().endpoints(nowhere).sslEnabled(false).build())
                    .retry(SendRetryConfig.custom().maxAttempts(1).build())
                    .circuit(
                        CircuitConfig.custom()
                            .minimumNumberOfCalls(2)
                            .slidingWindowSize(2)
                            .waitInOpenState(Duration.ofMinutes(10))
                            .build())
                    .fallbackStore(store)
                    .replay(ReplayConfig.custom().enabled(false).build())
                    .build())) {
      while (!producer.circuitState().equals("OPEN")) {
        producer.send(ReliableMessage.builder("bench").body(BODY).build());
      }
      List<Long> nanos = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        long t0 = System.nanoTime();
        producer.send(ReliableMessage.builder("bench").body(BODY).build());
        nanos.add(System.nanoTime() - t0);
      }
      Collections.sort(nanos);
      return String.format(
          Locale.ROOT,
          "B3 send while circuit open (1 thread, 5000) | p50 %.2f ms | p99 %.2f ms | max %.2f ms | ms",
          nanos.get(2_500) / 1e6,
          nanos.get(4_950) / 1e6,
          nanos.get(4_999) / 1e6);
    }
  }

  private static List<String> replayDrain(Path scratch, int count) throws Exception {
    List<Double> sdk = new ArrayList<>();
    List<Double> raw = new ArrayList<>();
    try (EmbeddedRocketMQ mq = EmbeddedRocketMQ.builder().build().start()) {
      String topic = "bench-replay";
      mq.createTopic(topic, TopicType.NORMAL);
      ClientSettings settings =
          ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build();
      for (int round = 0; round < 2; round++) {
        raw.add(rawAsyncRate(mq.endpoints(), topic, count));
        sdk.add(drainRate(scratch, settings, topic, count));
      }
    }
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < sdk.size(); i++) {
      ratios.add(sdk.get(i) / raw.get(i));
    }
    return List.of(
        row("B5 raw sendAsync (" + count + ")", raw, "msg/s"),
        row("B5 replay drain (" + count + ")", sdk, "msg/s"),
        row("B5 replay / raw", ratios, "ratio"));
  }

  private static double drainRate(Path scratch, ClientSettings settings, String topic, int count)
      throws Exception {
    Path dir = Files.createTempDirectory(scratch, "replay");
    try (JdbcFallbackStore store =
        JdbcFallbackStore.h2(
            FallbackStoreConfig.custom().directory(dir).maxRows(10_000_000).build())) {
      for (int i = 0; i < count; i++) {
        store.append(ReliableMessage.builder(topic).body(BODY).id("r-" + i).build(), false);
      }
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
        while (producer.fallback().orElseThrow().count() > 0) {
          Thread.sleep(5);
        }
        return count / seconds(start);
      }
    }
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
      done.await(5, TimeUnit.MINUTES);
      return count / seconds(start);
    }
  }

  static String row(String figure, List<Double> values, String unit) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return String.format(
        Locale.ROOT,
        "%s | %.2f | %.2f | %.2f | %s (%d rounds)",
        figure,
        sorted.get(0),
        sorted.get(sorted.size() / 2),
        sorted.get(sorted.size() - 1),
        unit,
        sorted.size());
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
