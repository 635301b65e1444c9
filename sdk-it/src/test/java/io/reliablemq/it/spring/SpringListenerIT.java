package io.reliablemq.it.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.actuate.ReliableMQHealthIndicator;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import io.reliablemq.spring.listener.ReliableMessageListener;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring Boot application with the starter: {@link ReliableTemplate} sends POJOs that {@link
 * ReliableMessageListener} methods receive, through a real broker.
 */
@SpringBootTest(classes = SpringListenerIT.App.class)
class SpringListenerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String ORDERS = EmbeddedRocketMQ.uniqueName("orders");
  private static final String PAYMENTS = EmbeddedRocketMQ.uniqueName("payments");
  private static final String REFUNDS = EmbeddedRocketMQ.uniqueName("refunds");
  private static final EmbeddedRocketMQ MQ = EmbeddedRocketMQ.builder().build().start();

  @Autowired ReliableTemplate template;
  @Autowired Listeners listeners;
  @Autowired ReliableListenerRegistry registry;
  @Autowired ReliableMQHealthIndicator health;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    MQ.createTopic(ORDERS, TopicType.NORMAL);
    MQ.createTopic(PAYMENTS, TopicType.NORMAL);
    MQ.createTopic(REFUNDS, TopicType.NORMAL);
    var dir = Files.createTempDirectory("spring-it");
    registry.add("reliablemq.endpoints", MQ::endpoints);
    registry.add("reliablemq.ssl-enabled", () -> "false");
    registry.add("reliablemq.request-timeout", () -> "2s");
    registry.add("reliablemq.listener.start-retry-interval", () -> "500ms");
    registry.add("reliablemq.fallback.directory", () -> dir.resolve("fallback").toString());
    registry.add("reliablemq.dedup.directory", () -> dir.resolve("dedup").toString());
    registry.add("app.orders", () -> ORDERS);
    registry.add("app.payments", () -> PAYMENTS);
    registry.add("app.refunds", () -> REFUNDS);
  }

  @AfterAll
  static void stopBroker() {
    MQ.close();
  }

  @Test
  void pojosSentByTheTemplate_reachTheListenerMethod() {
    for (int i = 0; i < 5; i++) {
      assertThat(template.sendSync(ORDERS, new Order("o-" + i, i)).status())
          .isEqualTo(SendStatus.SENT);
    }

    await("5 orders").atMost(TIMEOUT).until(() -> listeners.orders.size() >= 5);

    assertThat(listeners.orders)
        .containsExactlyInAnyOrder(
            new Order("o-0", 0),
            new Order("o-1", 1),
            new Order("o-2", 2),
            new Order("o-3", 3),
            new Order("o-4", 4));
    assertThat(registry.statuses()).allSatisfy(s -> assertThat(s.running()).isTrue());
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void idempotentListener_seesADuplicatedMessageOnce() {
    String id = "pay-" + EmbeddedRocketMQ.uniqueName("x");
    for (int i = 0; i < 3; i++) {
      // The same logical message three times, as a producer retry or a replay would send it.
      template.send(template.message(PAYMENTS, new Order(id, 10)).id(id).build());
    }

    await("2 duplicates")
        .atMost(TIMEOUT)
        .until(
            () ->
                registry.statuses().stream()
                        .filter(s -> s.topic().equals(PAYMENTS))
                        .flatMap(s -> s.stats().stream())
                        .mapToLong(s -> s.duplicates())
                        .sum()
                    >= 2);

    assertThat(listeners.payments).hasSize(1);
    assertThat(listeners.payments.get(0).reliableId()).contains(id);
  }

  @Test
  void dedupKeyListener_seesOneBusinessKeyOnce_acrossDistinctMessages() {
    String orderId = EmbeddedRocketMQ.uniqueName("refund");
    for (int i = 0; i < 3; i++) {
      // Three separate sends (three reliablemq_ids) of one business refund, as a user double-click
      // or an upstream retry would make them: only the business key says they are the same.
      assertThat(template.sendSync(REFUNDS, new Order(orderId, i)).status())
          .isEqualTo(SendStatus.SENT);
    }

    await("2 duplicates by business key")
        .atMost(TIMEOUT)
        .until(
            () ->
                registry.statuses().stream()
                        .filter(s -> s.topic().equals(REFUNDS))
                        .flatMap(s -> s.stats().stream())
                        .mapToLong(s -> s.duplicates())
                        .sum()
                    >= 2);

    assertThat(listeners.refunds).hasSize(1);
    assertThat(listeners.refunds.get(0).id()).isEqualTo(orderId);
  }

  /** A POJO payload. */
  public record Order(String id, int quantity) {}

  /** The application's listeners. */
  static class Listeners {
    final List<Order> orders = new CopyOnWriteArrayList<>();
    final List<ReceivedMessage> payments = new CopyOnWriteArrayList<>();
    final List<Order> refunds = new CopyOnWriteArrayList<>();

    @ReliableMessageListener(
        topic = "${app.refunds}",
        consumerGroup = "${app.refunds}-g",
        dedupKey = "'refund:' + #payload.id()")
    void onRefund(Order order) {
      refunds.add(order);
    }

    @ReliableMessageListener(topic = "${app.orders}", consumerGroup = "${app.orders}-g")
    void onOrder(Order order) {
      orders.add(order);
    }

    @ReliableMessageListener(
        topic = "${app.payments}",
        consumerGroup = "${app.payments}-g",
        concurrency = "4")
    void onPayment(ReceivedMessage message) {
      payments.add(message);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Listeners listeners() {
      return new Listeners();
    }
  }
}
