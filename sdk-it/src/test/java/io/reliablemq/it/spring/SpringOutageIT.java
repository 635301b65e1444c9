package io.reliablemq.it.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.producer.SendStatus;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.actuate.ReliableMQHealthIndicator;
import io.reliablemq.spring.listener.ListenerStatus;
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
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application starts while the broker is down, stores what it sends, reports DEGRADED with the
 * backlog and its listener waiting for the broker, and once the broker is back replays, connects
 * its listener and reports UP.
 */
@SpringBootTest(classes = SpringOutageIT.App.class)
class SpringOutageIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String TOPIC = EmbeddedRocketMQ.uniqueName("outage");
  private static final EmbeddedRocketMQ MQ = EmbeddedRocketMQ.builder().build().start();

  @Autowired ReliableTemplate template;
  @Autowired Received received;
  @Autowired ReliableListenerRegistry registry;
  @Autowired ReliableMQHealthIndicator health;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    MQ.createTopic(TOPIC, TopicType.NORMAL);
    // The application context starts after this: with the broker down.
    MQ.stop();
    var dir = Files.createTempDirectory("spring-outage-it");
    registry.add("reliablemq.endpoints", MQ::endpoints);
    registry.add("reliablemq.ssl-enabled", () -> "false");
    registry.add("reliablemq.request-timeout", () -> "1s");
    registry.add("reliablemq.retry.total-deadline", () -> "2s");
    registry.add("reliablemq.circuit.wait-in-open-state", () -> "1s");
    registry.add("reliablemq.replay.idle-poll", () -> "200ms");
    registry.add("reliablemq.replay.max-backoff", () -> "1s");
    registry.add("reliablemq.listener.start-retry-interval", () -> "500ms");
    registry.add("reliablemq.fallback.directory", () -> dir.resolve("fallback").toString());
    registry.add("reliablemq.dedup.directory", () -> dir.resolve("dedup").toString());
    registry.add("app.topic", () -> TOPIC);
  }

  @AfterAll
  static void stopBroker() {
    MQ.close();
  }

  @Test
  void brokerDownAtStartup_sendsAreStored_healthDegraded_thenReplayedAndUp() {
    assertThat(registry.statuses()).allSatisfy(s -> assertThat(s.running()).isFalse());
    // The listener's consumer exists and waits for the broker instead of failing its start.
    await("the listener to wait for the broker")
        .atMost(TIMEOUT)
        .until(() -> registry.statuses().stream().allMatch(ListenerStatus::waitingForBroker));

    assertThat(template.sendSync(TOPIC, "while down").status()).isEqualTo(SendStatus.STORED);

    Health degraded = health.health();
    assertThat(degraded.getStatus()).isEqualTo(ReliableMQHealthIndicator.DEGRADED);
    assertThat(degraded.getDetails()).containsEntry("backlog", 1L);
    assertThat(degraded.getDetails()).containsKey("oldestAgeSeconds");
    assertThat(degraded.getDetails()).containsEntry("listenersWaitingForBroker", 1L);

    MQ.start();

    await("the stored message to be delivered")
        .atMost(TIMEOUT)
        .until(() -> !received.bodies.isEmpty());
    await("health UP").atMost(TIMEOUT).until(() -> health.health().getStatus().equals(Status.UP));
    assertThat(received.bodies).containsExactly("while down");
    assertThat(health.health().getDetails())
        .containsEntry("backlog", 0L)
        .containsEntry("listenersWaitingForBroker", 0L);
    assertThat(registry.statuses()).allSatisfy(s -> assertThat(s.running()).isTrue());
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
    Received received() {
      return new Received();
    }
  }
}
