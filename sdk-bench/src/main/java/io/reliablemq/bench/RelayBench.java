package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.relay.BacklogRelay;
import io.reliablemq.relay.RelayConfig;
import io.reliablemq.relay.RelayProgress;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;

/**
 * R1: backlog relief. One FIFO backlog (many message groups) on a 1-queue topic is drained by one
 * consumer on that topic, and, after {@link BacklogRelay} moved it to an 8-queue topic, by eight
 * consumers there. The handler sleeps a fixed time per message: the sleep is the workload. On a
 * FIFO topic a queue is consumed one message at a time, so the queue count is the parallelism.
 */
final class RelayBench {
  private static final int GROUPS = 64;
  private static final long TIMEOUT_MINUTES = 5;

  private RelayBench() {}

  /**
   * Runs R1 on the shared broker.
   *
   * @param mq the broker
   * @param options quick runs one small round
   * @return the figures
   * @throws Exception on a setup failure
   */
  static List<Figure> figures(EmbeddedRocketMQ mq, BenchOptions options) throws Exception {
    int count = options.pick(Integer.getInteger("bench.relay.count", 2000), 256);
    int handlerMillis = 5;
    int rounds = options.pick(2, 1);
    List<Double> narrow = new ArrayList<>();
    List<Double> relay = new ArrayList<>();
    List<Double> wide = new ArrayList<>();
    {
      ClientSettings settings =
          ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build();
      for (int round = 0; round < rounds; round++) {
        String from = "bench-narrow-" + round;
        String to = "bench-wide-" + round;
        mq.createTopic(from, TopicType.FIFO, 1);
        mq.createTopic(to, TopicType.FIFO, 8);
        for (String g : List.of("narrow-" + round, "relay-" + round, "wide-" + round)) {
          mq.createConsumerGroup(g, true);
        }
        try (ReliableProducer producer =
            ReliableProducer.create(ReliableProducerConfig.ofDefaults(settings))) {
          fill(producer, from, count);
          narrow.add(drain(mq.endpoints(), from, "narrow-" + round, 1, count, handlerMillis));
          long start = System.nanoTime();
          try (BacklogRelay r =
              BacklogRelay.start(
                  RelayConfig.custom(settings, from, "relay-" + round, to)
                      .batchSize(32)
                      .idleTimeout(Duration.ofSeconds(3))
                      .build(),
                  producer)) {
            RelayProgress last = r.completion().get(TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (last.relayed() < count) {
              throw new IllegalStateException("relayed only " + last);
            }
          }
          // The idle wait that ends the relay is not relay work.
          relay.add((System.nanoTime() - start) / 1e9 - 3);
          wide.add(drain(mq.endpoints(), to, "wide-" + round, 8, count, handlerMillis));
        }
      }
    }
    List<Double> total = new ArrayList<>();
    List<Double> speedup = new ArrayList<>();
    for (int i = 0; i < narrow.size(); i++) {
      total.add(relay.get(i) + wide.get(i));
      speedup.add(narrow.get(i) / total.get(i));
    }
    String what = " (" + count + " msgs, " + GROUPS + " groups, " + handlerMillis + " ms each)";
    return List.of(
        Figure.of("R1 drain, 1 consumer on the 1-queue topic" + what, "s", narrow),
        Figure.of("R1 relay 1-queue -> 8-queue topic" + what, "s", relay),
        Figure.of("R1 drain, 8 consumers on the 8-queue topic" + what, "s", wide),
        Figure.of("R1 relay + wide drain" + what, "s", total),
        Figure.of("R1 narrow drain / (relay + wide drain)", "x", speedup));
  }

  private static void fill(ReliableProducer producer, String topic, int count) {
    IntStream.range(0, GROUPS)
        .parallel()
        .forEach(
            g -> {
              for (int i = g; i < count; i += GROUPS) {
                producer.send(
                    ReliableMessage.builder(topic)
                        .body(new byte[1024])
                        .messageGroup("g" + g)
                        .build());
              }
            });
  }

  /** Seconds from the consumers' start until the last message was handled. */
  private static double drain(
      String endpoints, String topic, String group, int consumers, int count, int handlerMillis)
      throws Exception {
    AtomicInteger handled = new AtomicInteger();
    List<PushConsumer> started = new ArrayList<>();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < consumers; i++) {
        started.add(
            ClientServiceProvider.loadService()
                .newPushConsumerBuilder()
                .setClientConfiguration(
                    ClientConfiguration.newBuilder()
                        .setEndpoints(endpoints)
                        .enableSsl(false)
                        .build())
                .setConsumerGroup(group)
                .setConsumptionThreadCount(1)
                .setSubscriptionExpressions(
                    Map.of(topic, new FilterExpression("*", FilterExpressionType.TAG)))
                .setMessageListener(
                    view -> {
                      try {
                        // The workload of the benchmark, not a wait for a condition.
                        Thread.sleep(handlerMillis);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return ConsumeResult.FAILURE;
                      }
                      handled.incrementAndGet();
                      return ConsumeResult.SUCCESS;
                    })
                .build());
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
      while (handled.get() < count && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      if (handled.get() < count) {
        throw new IllegalStateException("only " + handled.get() + " of " + count + " handled");
      }
      return (System.nanoTime() - start) / 1e9;
    } finally {
      for (PushConsumer c : started) {
        c.close();
      }
    }
  }
}
