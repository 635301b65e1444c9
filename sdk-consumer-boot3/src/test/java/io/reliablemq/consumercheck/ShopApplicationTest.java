package io.reliablemq.consumercheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.consumercheck.ShopApplication.Order;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application starts on the starter alone, sends orders as JSON through the template and
 * consumes them in its listener, through a real broker.
 */
class ShopApplicationTest {

  @Test
  void application_startsSendsAndConsumes_throughTheRealBroker() throws Exception {
    assertThat(SpringBootVersion.getVersion()).startsWith(System.getProperty("expected.boot", ""));
    String topic = EmbeddedRocketMQ.uniqueName("orders");
    Path dir = Files.createTempDirectory("consumer-check");
    try (EmbeddedRocketMQ mq = EmbeddedRocketMQ.builder().build().start()) {
      mq.createTopic(topic, TopicType.NORMAL);
      try (ConfigurableApplicationContext app =
          new SpringApplicationBuilder(ShopApplication.class)
              .properties(
                  "reliablemq.endpoints=" + mq.endpoints(),
                  "reliablemq.ssl-enabled=false",
                  "reliablemq.listener.start-retry-interval=500ms",
                  "reliablemq.fallback.directory=" + dir.resolve("fallback"),
                  "reliablemq.dedup.directory=" + dir.resolve("dedup"),
                  "app.orders=" + topic)
              .run()) {
        ShopApplication.Orders orders = app.getBean(ShopApplication.Orders.class);
        for (int i = 0; i < 3; i++) {
          assertThat(orders.place(new Order("o-" + i, i))).isEqualTo("SENT");
        }
        ShopApplication.Warehouse warehouse = app.getBean(ShopApplication.Warehouse.class);
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () ->
                    assertThat(warehouse.received)
                        .containsExactlyInAnyOrder(
                            new Order("o-0", 0), new Order("o-1", 1), new Order("o-2", 2)));
      }
    }
  }
}
