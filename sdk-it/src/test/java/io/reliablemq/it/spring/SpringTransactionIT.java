package io.reliablemq.it.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.it.support.Await;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ReliableMessageListener;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * {@link ReliableTemplate#sendInTransaction} with the application's DataSource and Spring's
 * transaction manager: the message is delivered if and only if the local work committed, and {@link
 * JdbcTemplate} inside the work joins the same transaction.
 */
@SpringBootTest(classes = SpringTransactionIT.App.class)
class SpringTransactionIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String TOPIC = EmbeddedRocketMQ.uniqueName("tx-orders");
  private static final EmbeddedRocketMQ MQ = EmbeddedRocketMQ.builder().build().start();

  @Autowired ReliableTemplate template;
  @Autowired JdbcTemplate jdbc;
  @Autowired Received received;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    MQ.createTopic(TOPIC, TopicType.TRANSACTION);
    var dir = Files.createTempDirectory("spring-tx-it");
    registry.add("reliablemq.endpoints", MQ::endpoints);
    registry.add("reliablemq.ssl-enabled", () -> "false");
    registry.add("reliablemq.request-timeout", () -> "2s");
    registry.add("reliablemq.transaction.enabled", () -> "true");
    registry.add("reliablemq.transaction.topics", () -> TOPIC);
    registry.add("reliablemq.fallback.directory", () -> dir.resolve("fallback").toString());
    registry.add("reliablemq.dedup.directory", () -> dir.resolve("dedup").toString());
    registry.add("app.db", () -> "jdbc:h2:" + dir.resolve("business") + ";DB_CLOSE_DELAY=-1");
    registry.add("app.topic", () -> TOPIC);
  }

  @AfterAll
  static void stopBroker() {
    MQ.close();
  }

  @Test
  void committedWork_isDelivered_rolledBackWork_isNot() {
    TransactionResult<Integer> committed =
        template.sendInTransaction(
            TOPIC, "order-1", c -> jdbc.update("INSERT INTO orders(id) VALUES ('order-1')"));
    assertThat(committed.status()).isEqualTo(TransactionStatus.COMMITTED);

    assertThatThrownBy(
            () ->
                template.sendInTransaction(
                    TOPIC,
                    "order-2",
                    c -> {
                      jdbc.update("INSERT INTO orders(id) VALUES ('order-2')");
                      throw new IllegalStateException("payment declined");
                    }))
        .hasMessage("payment declined");

    // A marker sent after the rolled-back message: once it arrives, the rollback has long been
    // decided (send returns only after it), so order-2 can no longer show up.
    template.sendInTransaction(TOPIC, "marker", c -> 0);
    Await.until(TIMEOUT, "order-1 and the marker", () -> received.bodies.size() >= 2);

    assertThat(received.bodies).containsExactlyInAnyOrder("order-1", "marker");
    assertThat(jdbc.queryForList("SELECT id FROM orders", String.class)).containsExactly("order-1");
  }

  /** What the listener received. */
  static class Received {
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @ReliableMessageListener(topic = "${app.topic}", consumerGroup = "${app.topic}-g")
    void on(String body) {
      bodies.add(body);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    DataSource dataSource(org.springframework.core.env.Environment env) {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL(env.getRequiredProperty("app.db"));
      new JdbcTemplate(ds).execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64))");
      return ds;
    }

    @Bean
    PlatformTransactionManager transactionManager(DataSource dataSource) {
      return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    JdbcTemplate jdbcTemplate(DataSource dataSource) {
      return new JdbcTemplate(dataSource);
    }

    @Bean
    Received received() {
      return new Received();
    }
  }
}
