package io.reliablemq.it.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import io.reliablemq.spring.listener.ReliableMessageListener;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Closing the application context while a listener method is still running: listeners stop first,
 * the running method finishes with the producer and the fallback store still usable, and only then
 * do they close.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class SpringShutdownIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String TOPIC = EmbeddedRocketMQ.uniqueName("shutdown");

  /** The running app's listener; one app per test. */
  static volatile Blocking current;

  @Test
  void close_stopsListeners_letsTheInFlightHandlerFinish_thenClosesProducerAndStores(
      EmbeddedRocketMQ mq) throws Exception {
    mq.createTopic(TOPIC, TopicType.NORMAL);
    Path dir = Files.createTempDirectory("spring-shutdown-it");
    current = new Blocking();
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "reliablemq.endpoints=" + mq.endpoints(),
                "reliablemq.ssl-enabled=false",
                "reliablemq.request-timeout=2s",
                "reliablemq.listener.start-retry-interval=500ms",
                "reliablemq.listener.shutdown-timeout=60s",
                "reliablemq.fallback.directory=" + dir.resolve("fallback"),
                "reliablemq.dedup.directory=" + dir.resolve("dedup"),
                "app.topic=" + TOPIC)
            .run();
    FallbackStore store = ctx.getBean(FallbackStore.class);
    ReliableListenerRegistry registry = ctx.getBean(ReliableListenerRegistry.class);
    Blocking listener = current;

    ctx.getBean(ReliableTemplate.class).sendSync(TOPIC, "in", "work");
    assertThat(listener.started.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("the handler started")
        .isTrue();

    Thread closer = new Thread(ctx::close, "context-closer");
    closer.start();
    // Wait until the close is held up in stopping the listeners (or, if it does not wait for the
    // handler, has run through): only then is "still open" below a statement about the order.
    await("the close to reach the listener containers")
        .atMost(TIMEOUT)
        .until(
            () ->
                !registry.isRunning()
                    && (!closer.isAlive() || stackMentions(closer, "ListenerContainer")));
    listener.events.add("close waits: storeOpen=" + isOpen(store));

    listener.release.countDown();
    closer.join(TIMEOUT.toMillis());

    assertThat(closer.isAlive()).as("close finished").isFalse();
    assertThat(listener.events)
        .containsExactly(
            "handler started",
            "close waits: storeOpen=true",
            "handler finished: storeOpen=true, send=SENT");
    assertThat(isOpen(store)).as("the store closed after the handler").isFalse();
  }

  private static boolean stackMentions(Thread t, String className) {
    return Arrays.stream(t.getStackTrace())
        .anyMatch(f -> f.getClassName().endsWith("." + className));
  }

  private static boolean isOpen(FallbackStore store) {
    try {
      store.count();
      return true;
    } catch (RuntimeException closed) {
      return false;
    }
  }

  /** Blocks its first delivery until released, then uses the producer and the store. */
  static class Blocking {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    @Autowired ReliableTemplate template;
    @Autowired FallbackStore store;

    @ReliableMessageListener(topic = "${app.topic}", consumerGroup = "${app.topic}-g", tag = "in")
    void on(String body) throws InterruptedException {
      if (started.getCount() == 0) {
        return; // a redelivery after the close; the test looks at the first delivery only
      }
      events.add("handler started");
      started.countDown();
      if (!release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        events.add("never released");
        return;
      }
      boolean storeOpen = isOpen(store);
      // Consume-then-produce: the follow-up goes out through the producer during the shutdown.
      SendStatus status = template.sendSync(TOPIC, "out", "follow-up").status();
      events.add("handler finished: storeOpen=" + storeOpen + ", send=" + status);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Blocking blocking() {
      return current;
    }
  }
}
