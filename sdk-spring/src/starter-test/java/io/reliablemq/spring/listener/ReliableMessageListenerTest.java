package io.reliablemq.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.consumer.ConsumerState;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.actuate.ReliableMQHealthIndicator;
import io.reliablemq.spring.autoconfigure.ReliableMQAutoConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ReliableMessageListenerTest {
  @TempDir Path tmp;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ReliableMQAutoConfiguration.class))
        .withPropertyValues(
            "reliablemq.endpoints=127.0.0.1:1",
            "reliablemq.ssl-enabled=false",
            "reliablemq.request-timeout=200ms",
            "reliablemq.listener.start-retry-interval=100ms",
            "reliablemq.fallback.directory=" + tmp.resolve("fallback"),
            "reliablemq.dedup.directory=" + tmp.resolve("dedup"),
            "app.topic=orders",
            "app.threads=4");
  }

  @Test
  void annotatedMethods_areRegistered_withPlaceholdersResolved() {
    runner()
        .withBean("orderListener", Listeners.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              List<ListenerStatus> statuses =
                  ctx.getBean(ReliableListenerRegistry.class).statuses();
              assertThat(statuses)
                  .extracting(ListenerStatus::id)
                  .containsExactlyInAnyOrder(
                      "orderListener.onOrder",
                      "orderListener.onText",
                      "orderListener.onBytes",
                      "orderListener.onMessage");
              assertThat(statuses).allSatisfy(s -> assertThat(s.topic()).isEqualTo("orders"));
            });
  }

  @Test
  void brokerDown_theContextStarts_withListenersNotYetRunning() {
    runner()
        .withBean("orderListener", Listeners.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ReliableListenerRegistry registry = ctx.getBean(ReliableListenerRegistry.class);
              assertThat(registry.isRunning()).isTrue();
              assertThat(registry.statuses()).allSatisfy(s -> assertThat(s.running()).isFalse());
            });
  }

  @Test
  void brokerDown_listenersWaitForTheBroker_andHealthIsDegradedNamingThem() {
    runner()
        .withBean("orderListener", Listeners.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ReliableListenerRegistry registry = ctx.getBean(ReliableListenerRegistry.class);
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(
                      () ->
                          registry.statuses().stream().allMatch(ListenerStatus::waitingForBroker));
              assertThat(registry.statuses())
                  .allSatisfy(
                      s -> {
                        assertThat(s.running()).isFalse();
                        assertThat(s.consumerState()).contains(ConsumerState.WAITING);
                        assertThat(s.lastStartError()).isEmpty();
                      });
              var health = // Health is in another package on each Boot line.
                  new ReliableMQHealthIndicator(ctx.getBean(ReliableProducer.class), registry, 1000)
                      .health();
              assertThat(health.getStatus()).isEqualTo(ReliableMQHealthIndicator.DEGRADED);
              assertThat(health.getDetails())
                  .containsEntry("listenersNotRunning", (long) registry.statuses().size())
                  .containsEntry("listenersWaitingForBroker", (long) registry.statuses().size());
            });
  }

  @Test
  void twoParameters_failTheStartup_namingBeanAndMethod() {
    runner()
        .withBean("badListener", TwoParameters.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .hasMessageContaining("badListener.handle")
                  .hasMessageContaining("exactly one parameter");
            });
  }

  @Test
  void primitiveParameter_failsTheStartup_namingBeanAndMethod() {
    runner()
        .withBean("intListener", PrimitiveParameter.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure()).hasMessageContaining("intListener.handle");
            });
  }

  @Test
  void unresolvablePlaceholder_failsTheStartup_namingBeanAndMethod() {
    runner()
        .withBean("missing", MissingPlaceholder.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .hasMessageContaining("missing.handle")
                  .hasMessageContaining("no.such.topic");
            });
  }

  @Test
  void idempotentListenerWithoutDedupStore_failsTheStartup() {
    runner()
        .withPropertyValues("reliablemq.dedup.enabled=false")
        .withBean("orderListener", Listeners.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .hasMessageContaining("orderListener.onOrder")
                  .hasMessageContaining("reliablemq.dedup.enabled");
            });
  }

  @Test
  void badConcurrency_failsTheStartup() {
    runner()
        .withBean("c", BadConcurrency.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .hasMessageContaining("c.handle")
                  .hasMessageContaining("concurrency");
            });
  }

  @Test
  void malformedDedupKey_failsTheStartup_namingBeanAndMethod() {
    runner()
        .withBean("refunds", MalformedDedupKey.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .hasMessageContaining("refunds.handle")
                  .hasMessageContaining("dedupKey");
            });
  }

  @Test
  void dedupKeyWithoutIdempotence_failsTheStartup() {
    runner()
        .withBean("refunds", DedupKeyNotIdempotent.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .hasMessageContaining("refunds.handle")
                  .hasMessageContaining("idempotent");
            });
  }

  @Test
  void wellFormedDedupKey_isAccepted() {
    runner().withBean("refunds", BusinessKey.class).run(ctx -> assertThat(ctx).hasNotFailed());
  }

  /** A POJO payload. */
  public record Order(String id, int quantity) {}

  static class MalformedDedupKey {
    @ReliableMessageListener(topic = "t", consumerGroup = "g", dedupKey = "#payload.id(")
    void handle(Order order) {}
  }

  static class DedupKeyNotIdempotent {
    @ReliableMessageListener(
        topic = "t",
        consumerGroup = "g",
        idempotent = false,
        dedupKey = "#payload.id()")
    void handle(Order order) {}
  }

  static class BusinessKey {
    @ReliableMessageListener(topic = "t", consumerGroup = "g", dedupKey = "#payload.id()")
    void handle(Order order) {}
  }

  static class Listeners {
    @ReliableMessageListener(
        topic = "${app.topic}",
        consumerGroup = "g-order",
        concurrency = "${app.threads}")
    void onOrder(Order order) {}

    @ReliableMessageListener(topic = "${app.topic}", consumerGroup = "g-text")
    void onText(String body) {}

    @ReliableMessageListener(topic = "${app.topic}", consumerGroup = "g-bytes")
    void onBytes(byte[] body) {}

    @ReliableMessageListener(topic = "${app.topic}", consumerGroup = "g-msg", idempotent = true)
    void onMessage(ReceivedMessage message) {}
  }

  static class TwoParameters {
    @ReliableMessageListener(topic = "t", consumerGroup = "g")
    void handle(String a, String b) {}
  }

  static class PrimitiveParameter {
    @ReliableMessageListener(topic = "t", consumerGroup = "g")
    void handle(int n) {}
  }

  static class MissingPlaceholder {
    @ReliableMessageListener(topic = "${no.such.topic}", consumerGroup = "g")
    void handle(String s) {}
  }

  static class BadConcurrency {
    @ReliableMessageListener(topic = "t", consumerGroup = "g", concurrency = "many")
    void handle(String s) {}
  }
}
