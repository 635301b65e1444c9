package io.reliablemq.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.spring.actuate.ReliableMQEndpoint;
import io.reliablemq.spring.actuate.ReliableMQHealthIndicator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An application restarted with a parked FIFO entry in its store: health names the blocked group,
 * the gauge counts it, and the endpoint's delete unblocks it.
 */
class ParkedGroupHealthTest {
  @TempDir Path tmp;

  @Test
  void parkedEntry_makesHealthDegradedNamingItsGroup_andTheGaugeCountsIt_untilItIsDeleted() {
    Path directory = tmp.resolve("fallback");
    String parkedId;
    // Left by an earlier run: the head of group G was parked, two entries of G wait behind it.
    try (JdbcFallbackStore store =
        JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(directory).build())) {
      StoredEntry head = store.append(fifo("g-1"), false);
      store.append(fifo("g-2"), false);
      store.append(fifo("g-3"), false);
      store.claim("earlier-run", 10, Duration.ofSeconds(1));
      store.park(head.id(), "NotFoundException: topic orders not found");
      parkedId = head.id();
    }

    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ReliableMQAutoConfiguration.class,
                ReliableMQMetricsAutoConfiguration.class,
                ReliableMQActuatorAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(
            "reliablemq.endpoints=127.0.0.1:1",
            "reliablemq.ssl-enabled=false",
            "reliablemq.request-timeout=200ms",
            "reliablemq.retry.total-deadline=500ms",
            "reliablemq.management.write-operations-enabled=true",
            "management.endpoints.web.exposure.include=health,reliablemq",
            "reliablemq.fallback.directory=" + directory,
            "reliablemq.dedup.directory=" + tmp.resolve("dedup"))
        .run(
            ctx -> {
              ReliableMQHealthIndicator indicator = ctx.getBean(ReliableMQHealthIndicator.class);
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              ReliableMQEndpoint endpoint = ctx.getBean(ReliableMQEndpoint.class);

              Health health = indicator.health();
              assertThat(health.getStatus()).isEqualTo(ReliableMQHealthIndicator.DEGRADED);
              assertThat(health.getDetails()).containsEntry("blockedGroupCount", 1L);
              assertThat(health.getDetails().get("blockedGroups"))
                  .isEqualTo(
                      List.of(
                          Map.of(
                              "topic", "orders",
                              "messageGroup", "G",
                              "parkedEntryId", parkedId,
                              "lastError", "NotFoundException: topic orders not found",
                              "entriesWaiting", 2L)));
              assertThat(registry.get("reliablemq.fallback.blocked.groups").gauge().value())
                  .isEqualTo(1.0);
              @SuppressWarnings("unchecked")
              Map<String, Object> fallback =
                  (Map<String, Object>) endpoint.summary().get("fallback");
              assertThat(fallback).containsEntry("blockedGroupCount", 1L);

              // The operator drops the parked entry: the group is no longer blocked.
              assertThat(endpoint.delete(parkedId)).containsEntry("deleted", true);

              assertThat(registry.get("reliablemq.fallback.blocked.groups").gauge().value())
                  .isZero();
              Health after = indicator.health();
              assertThat(after.getDetails()).containsEntry("blockedGroupCount", 0L);
              assertThat(after.getDetails()).doesNotContainKey("blockedGroups");
            });
  }

  private static ReliableMessage fifo(String id) {
    return ReliableMessage.builder("orders").id(id).body("body of " + id).messageGroup("G").build();
  }
}
