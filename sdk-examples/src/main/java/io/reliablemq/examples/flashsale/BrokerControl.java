package io.reliablemq.examples.flashsale;

import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.io.PrintStream;
import java.util.Map;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The broker the sale runs against: the embedded one this demo starts (which it can kill and
 * restart), or an external proxy named by {@code reliablemq.endpoints} (no chaos possible).
 */
final class BrokerControl implements AutoCloseable {
  private EmbeddedRocketMQ mq;

  /**
   * Called once the environment is known and before any bean exists: starts the embedded broker
   * unless the user pointed the demo at an external one, and creates the sale's topics on it.
   */
  void prepare(ConfigurableEnvironment env, PrintStream out) {
    SaleSettings settings = SaleSettings.from(env); // bad settings fail before a broker starts
    String endpoints = env.getProperty("reliablemq.endpoints");
    if (endpoints != null && !endpoints.isBlank()) {
      out.printf("external RocketMQ 5 proxy at %s (topics must exist)%n", endpoints);
      return;
    }
    long t0 = System.nanoTime();
    out.println("starting embedded RocketMQ 5 (NameServer + broker + proxy, child JVM) ...");
    mq = EmbeddedRocketMQ.builder().build().start();
    mq.createTopic(settings.ordersTopic(), TopicType.FIFO);
    mq.createTopic(settings.timeoutsTopic(), TopicType.DELAY);
    mq.createTopic(settings.paymentsTopic(), TopicType.TRANSACTION);
    mq.createConsumerGroup(env.getProperty("flashsale.groups.orders", "flash-order-service"), true);
    out.printf(
        "embedded RocketMQ up at %s in %d ms%n",
        mq.endpoints(), (System.nanoTime() - t0) / 1_000_000);
    env.getPropertySources()
        .addFirst(
            new MapPropertySource(
                "flashsale-embedded-broker",
                Map.of("reliablemq.endpoints", mq.endpoints(), "reliablemq.ssl-enabled", "false")));
  }

  boolean embedded() {
    return mq != null;
  }

  long pid() {
    return mq == null ? -1 : mq.pid();
  }

  void kill() {
    mq.kill();
  }

  void restart() {
    mq.restart();
  }

  @Override
  public void close() {
    if (mq != null) {
      mq.close(); // idempotent
    }
  }
}
