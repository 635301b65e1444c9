package io.reliablemq.examples.quickstart;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;

/**
 * Starts a real RocketMQ 5 broker and proxy (a child JVM), sends orders through {@link
 * ReliableProducer} (plain and FIFO by buyer), receives them with the official push consumer, and
 * prints {@code sent = received}. Exits non-zero if any acknowledged message did not arrive.
 *
 * <p>Arguments: {@code [messages]} (default 300).
 */
public final class QuickstartDemo {
  private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(90);

  private QuickstartDemo() {}

  /**
   * Runs the demo.
   *
   * @param args optional message count
   * @throws Exception on a setup failure
   */
  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    System.exit(run(count, System.out) ? 0 : 1);
  }

  /**
   * Runs the demo and reports on {@code out}.
   *
   * @param count how many messages to send
   * @param out where the progress and summary go
   * @return true when every acknowledged message was received exactly as sent
   * @throws Exception on a setup failure
   */
  // The consumers work in the background; the try block only scopes their lifetime.
  @SuppressWarnings("try")
  public static boolean run(int count, PrintStream out) throws Exception {
    long t0 = System.nanoTime();
    out.println("[1/4] starting embedded RocketMQ 5 (NameServer + broker + proxy, child JVM)...");
    try (EmbeddedRocketMQ mq = EmbeddedRocketMQ.builder().build().start()) {
      out.printf("      up at %s in %d ms%n", mq.endpoints(), ms(t0));
      String orders = "orders";
      String fifo = "orders-by-buyer";
      mq.createTopic(orders, TopicType.NORMAL);
      mq.createTopic(fifo, TopicType.FIFO);
      mq.createConsumerGroup("order-service-fifo", true);

      Set<String> received = ConcurrentHashMap.newKeySet();
      AtomicInteger deliveries = new AtomicInteger();
      ClientConfiguration clientConfig =
          ClientConfiguration.newBuilder().setEndpoints(mq.endpoints()).enableSsl(false).build();

      try (PushConsumer normalConsumer =
              consumer(clientConfig, "order-service", orders, received, deliveries);
          PushConsumer fifoConsumer =
              consumer(clientConfig, "order-service-fifo", fifo, received, deliveries);
          ReliableProducer producer =
              ReliableProducer.create(
                  ReliableProducerConfig.ofDefaults(
                      ClientSettings.custom()
                          .endpoints(mq.endpoints())
                          .sslEnabled(false)
                          .build()))) {
        out.printf("[2/4] sending %d orders through ReliableProducer...%n", count);
        long t1 = System.nanoTime();
        Set<String> sent = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < count; i++) {
          String buyer = "buyer-" + (i % 10);
          ReliableMessage.Builder message =
              ReliableMessage.builder(i % 2 == 0 ? orders : fifo)
                  .body("{\"order\":" + i + ",\"buyer\":\"" + buyer + "\"}")
                  .tag("created")
                  .keys("order-" + i);
          if (i % 2 == 1) {
            message.messageGroup(buyer);
          }
          SendOutcome outcome = producer.send(message.build());
          sent.add(outcome.reliableId());
          if ((i + 1) % 100 == 0 || i + 1 == count) {
            out.printf("      sent %d/%d%n", i + 1, count);
          }
        }
        out.printf("      all acknowledged in %d ms%n", ms(t1));

        out.println("[3/4] waiting for the consumers...");
        long t2 = System.nanoTime();
        long deadline = t2 + RECEIVE_TIMEOUT.toNanos();
        while (!received.containsAll(sent) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        out.printf("      received %d distinct in %d ms%n", received.size(), ms(t2));

        Set<String> missing = new java.util.HashSet<>(sent);
        missing.removeAll(received);
        out.println("[4/4] summary");
        out.printf(
            "      sent = %d, received = %d, lost = %d, deliveries = %d%n",
            sent.size(), received.size(), missing.size(), deliveries.get());
        boolean ok = missing.isEmpty() && sent.size() == count;
        out.println(ok ? "      OK: sent = received" : "      FAILED: messages missing");
        out.printf("      total %d ms%n", ms(t0));
        return ok;
      }
    }
  }

  private static PushConsumer consumer(
      ClientConfiguration config,
      String group,
      String topic,
      Set<String> received,
      AtomicInteger deliveries)
      throws ClientException {
    return ClientServiceProvider.loadService()
        .newPushConsumerBuilder()
        .setClientConfiguration(config)
        .setConsumerGroup(group)
        .setSubscriptionExpressions(
            Map.of(topic, new FilterExpression("*", FilterExpressionType.TAG)))
        .setMessageListener(
            view -> {
              deliveries.incrementAndGet();
              String id = view.getProperties().get(ReliableMessage.ID_PROPERTY);
              if (id != null) {
                received.add(id);
              }
              return ConsumeResult.SUCCESS;
            })
        .build();
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
