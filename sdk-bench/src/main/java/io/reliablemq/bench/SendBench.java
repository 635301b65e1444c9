package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * B1 sync send throughput and B2 send latency, the SDK against the raw client on one broker in
 * alternating rounds (the side that goes first flips every round); B3 send latency with the circuit
 * open while the broker is hung (SIGSTOP), next to the raw client's time to fail.
 */
final class SendBench {
  static final byte[] BODY = new byte[1024];

  private SendBench() {}

  /** One way to send a 1 KiB message synchronously. */
  private interface Sender {
    void send(int i) throws Exception;
  }

  static List<Figure> throughputAndLatency(EmbeddedRocketMQ mq, BenchOptions options)
      throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("bench-send");
    mq.createTopic(topic, TopicType.NORMAL);
    ClientServiceProvider provider = ClientServiceProvider.loadService();
    int rounds = options.pick(6, 2);
    List<Figure> figures = new ArrayList<>();
    try (ReliableProducer sdk =
            ReliableProducer.create(
                ReliableProducerConfig.ofDefaults(
                    ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build()));
        Producer raw =
            provider
                .newProducerBuilder()
                .setClientConfiguration(
                    ClientConfiguration.newBuilder()
                        .setEndpoints(mq.endpoints())
                        .enableSsl(false)
                        .build())
                .setTopics(topic)
                .build()) {
      Sender sdkSender =
          i -> {
            if (sdk.send(ReliableMessage.builder(topic).body(BODY).build()).status()
                != SendStatus.SENT) {
              throw new IllegalStateException("not SENT with the broker healthy");
            }
          };
      Sender rawSender =
          i -> raw.send(provider.newMessageBuilder().setTopic(topic).setBody(BODY).build());
      // Warm both paths (JIT, routes, connections) before any round counts.
      run(sdkSender, 4, options.pick(2_000, 200), null);
      run(rawSender, 4, options.pick(2_000, 200), null);

      for (int threads : new int[] {1, 8}) {
        int count = threads == 1 ? options.pick(2_000, 300) : options.pick(10_000, 1_000);
        List<Double> sdkRates = new ArrayList<>();
        List<Double> rawRates = new ArrayList<>();
        List<long[]> sdkLat = new ArrayList<>();
        List<long[]> rawLat = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          long[] a = threads == 1 ? new long[count] : null;
          long[] b = threads == 1 ? new long[count] : null;
          if (round % 2 == 0) {
            rawRates.add(run(rawSender, threads, count, b));
            sdkRates.add(run(sdkSender, threads, count, a));
          } else {
            sdkRates.add(run(sdkSender, threads, count, a));
            rawRates.add(run(rawSender, threads, count, b));
          }
          if (threads == 1) {
            sdkLat.add(a);
            rawLat.add(b);
          }
        }
        List<Double> ratio = Figure.ratios(sdkRates, rawRates);
        String name = "B1 sync send " + threads + "t";
        figures.add(Figure.of(name + " raw", "msg/s", rawRates));
        figures.add(
            Figure.of(name + " SDK", "msg/s", sdkRates)
                .withRatio(Figure.of("", "", ratio).median()));
        figures.add(
            Figure.of(name + " SDK/raw", "ratio", ratio).withGoal(Figure.Goal.atLeast(0.95)));
        if (threads == 1) {
          figures.addAll(latency(sdkLat, rawLat));
        }
      }
    }
    return figures;
  }

  private static List<Figure> latency(List<long[]> sdk, List<long[]> raw) {
    List<Figure> figures = new ArrayList<>();
    for (double q : new double[] {0.50, 0.99, 0.999}) {
      List<Double> s = percentiles(sdk, q);
      List<Double> r = percentiles(raw, q);
      String p = "p" + (q == 0.999 ? "999" : String.valueOf(Math.round(q * 100)));
      figures.add(Figure.of("B2 send latency " + p + " raw (1t)", "ms", r));
      figures.add(
          Figure.of("B2 send latency " + p + " SDK (1t)", "ms", s)
              .withRatio(Figure.of("", "", Figure.ratios(s, r)).median()));
    }
    return figures;
  }

  private static List<Double> percentiles(List<long[]> rounds, double q) {
    List<Double> out = new ArrayList<>();
    for (long[] nanos : rounds) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      out.add(sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6);
    }
    return out;
  }

  /** Sends {@code count} messages from {@code threads} threads; returns msg/s. */
  private static double run(Sender sender, int threads, int count, long[] latencies)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(threads);
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  int i;
                  while ((i = next.getAndIncrement()) < count && failure.get() == null) {
                    long t0 = System.nanoTime();
                    sender.send(i);
                    if (latencies != null) {
                      latencies[i] = System.nanoTime() - t0;
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                } finally {
                  done.countDown();
                }
              },
              "bench-send-" + t);
      worker.start();
    }
    if (!done.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException("send round did not finish in 10 minutes");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("send round failed", failure.get());
    }
    return count / FallbackBench.seconds(start);
  }

  /**
   * B3: hangs the broker with SIGSTOP, opens the SDK's circuit, times sends (STORED), and times the
   * raw client's sends failing meanwhile. Resumes the broker before returning.
   */
  static List<Figure> circuitOpen(EmbeddedRocketMQ mq, BenchOptions options) throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("bench-hung");
    mq.createTopic(topic, TopicType.NORMAL);
    ClientServiceProvider provider = ClientServiceProvider.loadService();
    Path dir = Files.createTempDirectory(options.scratch(), "circuit");
    int sends = options.pick(5_000, 500);
    int rawSends = options.pick(3, 1);
    List<Double> sdkNanos = new ArrayList<>();
    List<Double> rawSeconds = new ArrayList<>();
    try (JdbcFallbackStore store =
            JdbcFallbackStore.h2(
                FallbackStoreConfig.custom().directory(dir).maxRows(10_000_000).build());
        ReliableProducer sdk =
            ReliableProducer.create(
                ReliableProducerConfig.custom(
                        ClientSettings.custom()
                            .endpoints(mq.endpoints())
                            .sslEnabled(false)
                            .requestTimeout(Duration.ofSeconds(1))
                            .build())
                    .retry(SendRetryConfig.custom().maxAttempts(1).build())
                    .circuit(
                        CircuitConfig.custom()
                            .minimumNumberOfCalls(2)
                            .slidingWindowSize(2)
                            .waitInOpenState(Duration.ofMinutes(10))
                            .build())
                    .fallbackStore(store)
                    .replay(ReplayConfig.custom().enabled(false).build())
                    .build());
        Producer raw =
            provider
                .newProducerBuilder()
                .setClientConfiguration(
                    ClientConfiguration.newBuilder()
                        .setEndpoints(mq.endpoints())
                        .enableSsl(false)
                        .build())
                .setTopics(topic)
                .build()) {
      sdk.send(ReliableMessage.builder(topic).body(BODY).build());
      raw.send(provider.newMessageBuilder().setTopic(topic).setBody(BODY).build());
      mq.pause();
      try {
        // The raw client's sends wait out their timeouts on another thread; they cost no CPU.
        CompletableFuture<Void> rawRun =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < rawSends; i++) {
                    long t0 = System.nanoTime();
                    try {
                      raw.send(provider.newMessageBuilder().setTopic(topic).setBody(BODY).build());
                      throw new IllegalStateException("raw send succeeded against a hung broker");
                    } catch (IllegalStateException e) {
                      throw e;
                    } catch (Exception expected) {
                      // Any failure counts: the 5.2.0 client surfaces a gRPC DEADLINE_EXCEEDED as
                      // is.
                      rawSeconds.add(FallbackBench.seconds(t0));
                    }
                  }
                });
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (sdk.circuitState() != CircuitState.OPEN) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("circuit did not open within 2 minutes");
          }
          sdk.send(ReliableMessage.builder(topic).body(BODY).build());
        }
        for (int i = 0; i < sends; i++) {
          long t0 = System.nanoTime();
          SendStatus status = sdk.send(ReliableMessage.builder(topic).body(BODY).build()).status();
          sdkNanos.add((double) (System.nanoTime() - t0));
          if (status != SendStatus.STORED) {
            throw new IllegalStateException("expected STORED with the circuit open, was " + status);
          }
        }
        rawRun.get(5, TimeUnit.MINUTES);
      } finally {
        mq.resume();
      }
    }
    List<Double> sorted = new ArrayList<>(sdkNanos);
    sorted.sort(null);
    List<Figure> figures = new ArrayList<>();
    for (double q : new double[] {0.50, 0.99}) {
      double ms = sorted.get((int) Math.floor(q * (sorted.size() - 1))) / 1e6;
      Figure f =
          new Figure(
              "B3 send, circuit open, broker SIGSTOP p" + Math.round(q * 100) + " SDK (STORED)",
              "ms",
              sorted.size(),
              sorted.get(0) / 1e6,
              ms,
              sorted.get(sorted.size() - 1) / 1e6,
              null,
              null);
      figures.add(q == 0.99 ? f.withGoal(Figure.Goal.atMost(5)) : f);
    }
    figures.add(
        Figure.of("B3 raw client time to fail, broker SIGSTOP (default config)", "s", rawSeconds));
    return figures;
  }
}
