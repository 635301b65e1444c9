package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;

/**
 * B6: consume throughput of {@link ReliableConsumer} with dedup (Caffeine + H2) against the raw
 * {@link PushConsumer}, on one backlog in the same broker, alternating rounds with a fresh consumer
 * group each (a new group reads the backlog from the start). The clock runs from the first message
 * to the last, so consumer start-up and rebalancing do not count.
 */
final class ConsumeBench {
  private static final long TIMEOUT_MINUTES = 5;

  private ConsumeBench() {}

  static List<Figure> figures(EmbeddedRocketMQ mq, BenchOptions options) throws Exception {
    int count = Integer.getInteger("bench.consume.count", options.pick(20_000, 500));
    int rounds = options.pick(2, 1);
    List<Double> raw = new ArrayList<>();
    List<Double> dedup = new ArrayList<>();
    String topic = EmbeddedRocketMQ.uniqueName("bench-consume");
    mq.createTopic(topic, TopicType.NORMAL);
    ClientSettings settings =
        ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build();
    fill(settings, topic, count);
    for (int round = 0; round < rounds; round++) {
      String rawGroup = EmbeddedRocketMQ.uniqueName("raw");
      String sdkGroup = EmbeddedRocketMQ.uniqueName("sdk");
      if (round % 2 == 0) {
        raw.add(rawRate(mq.endpoints(), topic, rawGroup, count));
        dedup.add(dedupRate(options.scratch(), settings, topic, sdkGroup, count));
      } else {
        dedup.add(dedupRate(options.scratch(), settings, topic, sdkGroup, count));
        raw.add(rawRate(mq.endpoints(), topic, rawGroup, count));
      }
    }
    List<Double> ratios = Figure.ratios(dedup, raw);
    List<Double> costMicros = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      costMicros.add(1e6 / dedup.get(i) - 1e6 / raw.get(i));
    }
    return List.of(
        Figure.of("B6 raw PushConsumer (" + count + ")", "msg/s", raw),
        Figure.of("B6 ReliableConsumer + dedup (" + count + ")", "msg/s", dedup)
            .withRatio(Figure.of("", "", ratios).median()),
        Figure.of("B6 dedup/raw", "ratio", ratios).withGoal(Figure.Goal.atLeast(0.8)),
        Figure.of("B6 dedup check cost per message (wall, 1/rate difference)", "us", costMicros));
  }

  private static void fill(ClientSettings settings, String topic, int count) throws Exception {
    byte[] body = new byte[1024];
    Semaphore window = new Semaphore(512);
    try (ReliableProducer producer =
        ReliableProducer.create(ReliableProducerConfig.ofDefaults(settings))) {
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        window.acquire();
        all.add(
            producer
                .sendAsync(ReliableMessage.builder(topic).body(body).build())
                .whenComplete((o, e) -> window.release()));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
    }
  }

  // The consumer works in the background; the try block only scopes its lifetime.
  @SuppressWarnings("try")
  private static double rawRate(String endpoints, String topic, String group, int count)
      throws Exception {
    Clock clock = new Clock(count);
    try (PushConsumer consumer =
        ClientServiceProvider.loadService()
            .newPushConsumerBuilder()
            .setClientConfiguration(
                ClientConfiguration.newBuilder().setEndpoints(endpoints).enableSsl(false).build())
            .setConsumerGroup(group)
            .setSubscriptionExpressions(
                Map.of(topic, new FilterExpression("*", FilterExpressionType.TAG)))
            .setMessageListener(
                view -> {
                  clock.tick();
                  return ConsumeResult.SUCCESS;
                })
            .build()) {
      return clock.await();
    }
  }

  // The consumer works in the background; the try block only scopes its lifetime.
  @SuppressWarnings("try")
  private static double dedupRate(
      Path scratch, ClientSettings settings, String topic, String group, int count)
      throws Exception {
    Clock clock = new Clock(count);
    Path dir = Files.createTempDirectory(scratch, "dedup");
    try (JdbcDedupStore store =
            JdbcDedupStore.h2(DedupStoreConfig.custom().directory(dir).build());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ReliableConsumerConfig.custom(settings, group)
                    .subscribe(topic, "*")
                    .dedup(DedupConfig.ofDefaults(store))
                    .build(),
                message -> clock.tick())) {
      return clock.await();
    }
  }

  /** Times the span from the first to the last of {@code count} messages. */
  private static final class Clock {
    private final int count;
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicLong first = new AtomicLong();
    private final AtomicLong last = new AtomicLong();

    Clock(int count) {
      this.count = count;
    }

    void tick() {
      long now = System.nanoTime();
      first.compareAndSet(0, now);
      if (seen.incrementAndGet() == count) {
        last.set(now);
      }
    }

    double await() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
      while (last.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (last.get() == 0) {
        throw new IllegalStateException("only " + seen.get() + " of " + count + " consumed");
      }
      return (count - 1) / ((last.get() - first.get()) / 1e9);
    }
  }
}
