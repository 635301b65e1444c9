package io.reliablemq.it.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.producer.SendStatus;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ReliableMessageListener;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every meter a query of {@code docs/grafana_dashboard.json} names is published by a running
 * application on the Boot 4 starter (template, listener, transactional sender, fallback store),
 * scraped from its {@code /actuator/prometheus}.
 */
@SpringBootTest(
    classes = GrafanaDashboardIT.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrafanaDashboardIT {
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana_dashboard.json");
  // A Prometheus series name in a PromQL expression: reliablemq_... up to a brace, bracket or
  // space.
  private static final Pattern SERIES = Pattern.compile("\\b(reliablemq_[a-z0-9_]+)");
  private static final String TOPIC = EmbeddedRocketMQ.uniqueName("dashboard");
  private static final EmbeddedRocketMQ MQ = EmbeddedRocketMQ.builder().build().start();

  @LocalServerPort int port;
  @Autowired ReliableTemplate template;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    MQ.createTopic(TOPIC, TopicType.NORMAL);
    Path dir = Files.createTempDirectory("dashboard-it");
    registry.add("reliablemq.endpoints", MQ::endpoints);
    registry.add("reliablemq.ssl-enabled", () -> "false");
    registry.add("reliablemq.request-timeout", () -> "2s");
    registry.add("reliablemq.transaction.enabled", () -> "true");
    registry.add("reliablemq.fallback.directory", () -> dir.resolve("fallback").toString());
    registry.add("reliablemq.dedup.directory", () -> dir.resolve("dedup").toString());
    registry.add("management.endpoints.web.exposure.include", () -> "prometheus");
    registry.add("app.db", () -> "jdbc:h2:" + dir.resolve("business") + ";DB_CLOSE_DELAY=-1");
    registry.add("app.topic", () -> TOPIC);
  }

  @AfterAll
  static void stopBroker() {
    MQ.close();
  }

  @Test
  void everyMeterTheDashboardQueries_isPublishedByTheApplication() throws Exception {
    assertThat(template.sendSync(TOPIC, "hello").status()).isEqualTo(SendStatus.SENT);
    Set<String> queried = new TreeSet<>();
    Matcher m = SERIES.matcher(Files.readString(DASHBOARD));
    while (m.find()) {
      queried.add(m.group(1));
    }
    // Guards against a test that passes because no query was found.
    assertThat(queried)
        .contains("reliablemq_send_total", "reliablemq_fallback_backlog", "reliablemq_tx_total");

    String scrape = scrape();
    Set<String> published = new TreeSet<>();
    Matcher p = Pattern.compile("(?m)^(reliablemq_[a-z0-9_]+)[{ ]").matcher(scrape);
    while (p.find()) {
      published.add(p.group(1));
    }

    assertThat(published).as("meters on /actuator/prometheus").containsAll(queried);
  }

  private String scrape() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    DataSource dataSource(@Value("${app.db}") String url) {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL(url);
      return ds;
    }

    @Bean
    Listener listener() {
      return new Listener();
    }
  }

  static class Listener {
    @ReliableMessageListener(topic = "${app.topic}", consumerGroup = "dashboard-it")
    void on(String body) {
      // The listener's meters are what the dashboard needs; the body is not checked here.
    }
  }
}
