package io.reliablemq.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.actuate.ReliableMQEndpoint;
import io.reliablemq.spring.actuate.ReliableMQHealthIndicator;
import io.reliablemq.spring.internal.JacksonCodec;
import io.reliablemq.spring.internal.ReliableMQMetrics;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ReliableMQAutoConfigurationTest {
  @TempDir Path tmp;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ReliableMQAutoConfiguration.class,
                ReliableMQMetricsAutoConfiguration.class,
                ReliableMQActuatorAutoConfiguration.class))
        .withPropertyValues(
            // Nothing listens there: the producer must start anyway.
            "reliablemq.endpoints=127.0.0.1:1",
            "reliablemq.ssl-enabled=false",
            "reliablemq.request-timeout=200ms",
            "reliablemq.retry.total-deadline=500ms",
            "reliablemq.fallback.directory=" + tmp.resolve("fallback"),
            "reliablemq.dedup.directory=" + tmp.resolve("dedup"));
  }

  @Test
  void defaults_createEveryBean_andTheAppStartsWhileTheBrokerIsDown() {
    runner()
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(ClientSettings.class);
              assertThat(ctx).hasSingleBean(FallbackStore.class);
              assertThat(ctx).hasSingleBean(ReliableProducer.class);
              assertThat(ctx).hasSingleBean(ReliableTemplate.class);
              assertThat(ctx).hasSingleBean(ReliableListenerRegistry.class);
              assertThat(ctx).hasSingleBean(ReliableMQHealthIndicator.class);
              ClientSettings client = ctx.getBean(ClientSettings.class);
              assertThat(client.endpoints()).isEqualTo("127.0.0.1:1");
              assertThat(client.sslEnabled()).isFalse();
              assertThat(client.requestTimeout()).isEqualTo(Duration.ofMillis(200));
              assertThat(client.credentialsProvider()).isNull();
            });
  }

  @Test
  void sendWhileTheBrokerIsDown_isStored_andHealthIsDegradedWithTheBacklog() {
    runner()
        .run(
            ctx -> {
              ReliableTemplate template = ctx.getBean(ReliableTemplate.class);
              assertThat(template.sendSync("orders", new Order("o-1", 3)).status())
                  .isEqualTo(SendStatus.STORED);

              // var: Health is in another package on each Boot line.
              var health = ctx.getBean(ReliableMQHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(ReliableMQHealthIndicator.DEGRADED);
              assertThat(health.getDetails()).containsEntry("backlog", 1L);
              assertThat(health.getDetails()).containsKey("oldestAgeSeconds");
            });
  }

  @Test
  void storedPojo_isJsonWrittenByTheStartersCodec() {
    runner()
        .run(
            ctx -> {
              ReliableTemplate template = ctx.getBean(ReliableTemplate.class);
              assertThat(new String(template.message("t", new Order("o-2", 5)).build().body()))
                  .isEqualTo("{\"id\":\"o-2\",\"quantity\":5}");
              assertThat(template.message("t", "plain").build().body())
                  .isEqualTo("plain".getBytes());
              assertThat(template.message("t", new byte[] {1, 2}).build().body())
                  .containsExactly(1, 2);
            });
  }

  @Test
  void credentials_areSetFromAccessAndSecretKey() {
    runner()
        .withPropertyValues("reliablemq.access-key=ak", "reliablemq.secret-key=sk")
        .run(
            ctx -> {
              ClientSettings client = ctx.getBean(ClientSettings.class);
              assertThat(client.credentialsProvider()).isNotNull();
              assertThat(client.toString()).doesNotContain("sk");
            });
  }

  @Test
  void userDefinedBeans_makeTheAutoConfigurationBackOff() {
    runner()
        .withUserConfiguration(UserBeans.class)
        .run(
            ctx -> {
              assertThat(ctx.getBean(ClientSettings.class)).isSameAs(UserBeans.CLIENT);
              assertThat(ctx.getBean(ReliableTemplate.class)).isSameAs(ctx.getBean("myTemplate"));
              assertThat(ctx).hasSingleBean(ReliableTemplate.class);
            });
  }

  @Test
  void fallbackDisabled_createsNoStore_andHealthSaysNone() {
    runner()
        .withPropertyValues("reliablemq.fallback.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(FallbackStore.class);
              assertThat(ctx.getBean(ReliableProducer.class).fallback()).isEmpty();
              assertThat(ctx.getBean(ReliableMQHealthIndicator.class).health().getDetails())
                  .containsEntry("fallbackStore", "none");
            });
  }

  @Test
  void dedupStore_isOpenedOnlyWhenAnIdempotentListenerNeedsIt() {
    runner()
        .run(
            ctx -> {
              assertThat(ctx.getBeanFactory().containsSingleton("reliableMQDedupStore")).isFalse();
              assertThat(ctx.getBean(DedupStore.class)).isNotNull();
            });
  }

  @Test
  void disabled_configuresNothing() {
    runner()
        .withPropertyValues("reliablemq.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(ReliableProducer.class));
  }

  @Test
  void invalidRetry_failsTheStartup_namingTheProperty() {
    runner()
        .withPropertyValues("reliablemq.retry.max-attempts=0")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("reliablemq.retry.max-attempts");
            });
  }

  @Test
  void missingEndpoints_failsTheStartup_namingTheProperty() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ReliableMQAutoConfiguration.class))
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("reliablemq.endpoints");
            });
  }

  @Test
  void invalidRequestTimeoutAndHalfCredentials_areBothReported() {
    runner()
        .withPropertyValues("reliablemq.request-timeout=5m", "reliablemq.access-key=ak")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("reliablemq.request-timeout")
                  .hasMessageContaining("reliablemq.access-key");
            });
  }

  @Test
  void meterRegistry_getsTheFallbackGauges() {
    runner()
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(ReliableMQMetrics.class);
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              assertThat(registry.find("reliablemq.fallback.backlog").gauge()).isNotNull();
              assertThat(registry.find("reliablemq.fallback.oldest.age").gauge()).isNotNull();
            });
  }

  @Test
  void withoutMicrometer_thereAreNoMetrics_butEverythingElseWorks() {
    runner()
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(ReliableMQMetrics.class);
              assertThat(ctx).hasSingleBean(ReliableTemplate.class);
            });
  }

  @Test
  void withoutActuator_thereIsNoHealthIndicatorOrEndpoint() {
    runner()
        .withClassLoader(
            new FilteredClassLoader(
                // HealthIndicator's package on Boot 3.5 and on Boot 4.
                "org.springframework.boot.actuate.health", "org.springframework.boot.health"))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(ReliableMQHealthIndicator.class);
              assertThat(ctx).doesNotHaveBean(ReliableMQEndpoint.class);
              assertThat(ctx).hasSingleBean(ReliableProducer.class);
            });
  }

  @Test
  void withoutJdbc_theEmbeddedStoresStillWork() {
    runner()
        .withClassLoader(
            new FilteredClassLoader("org.springframework.jdbc", "javax.sql.DataSource"))
        .run(ctx -> assertThat(ctx).hasSingleBean(FallbackStore.class));
  }

  @Test
  void endpoint_listsCounts_andRefusesWritesUnlessEnabled() {
    runner()
        .withPropertyValues("management.endpoints.web.exposure.include=reliablemq")
        .run(
            ctx -> {
              ctx.getBean(ReliableTemplate.class).sendSync("orders", "x");
              ReliableMQEndpoint endpoint = ctx.getBean(ReliableMQEndpoint.class);
              Map<String, Object> summary = endpoint.summary();
              assertThat(summary).containsEntry("writeOperationsEnabled", false);
              assertThat(summary.get("fallback").toString()).contains("pending=1");
              org.assertj.core.api.Assertions.assertThatThrownBy(endpoint::replayNow)
                  .hasMessageContaining("reliablemq.management.write-operations-enabled");
            });
  }

  @Test
  void endpoint_runsWritesWhenEnabled() {
    runner()
        .withPropertyValues(
            "management.endpoints.web.exposure.include=reliablemq",
            "reliablemq.management.write-operations-enabled=true")
        .run(
            ctx -> {
              ReliableMQEndpoint endpoint = ctx.getBean(ReliableMQEndpoint.class);
              String id = ctx.getBean(ReliableTemplate.class).sendSync("orders", "x").reliableId();
              assertThat(endpoint.replayNow()).containsEntry("replay", "requested");
              assertThat(endpoint.delete(id)).containsEntry("deleted", true);
            });
  }

  /** A POJO payload. */
  public record Order(String id, int quantity) {}

  @Configuration(proxyBeanMethods = false)
  static class UserBeans {
    static final ClientSettings CLIENT =
        ClientSettings.custom().endpoints("127.0.0.1:2").sslEnabled(false).build();

    @Bean
    ClientSettings myClient() {
      return CLIENT;
    }

    @Bean
    ReliableTemplate myTemplate(ReliableProducer producer) {
      return new ReliableTemplate(producer, JacksonCodec.ofDefaults());
    }
  }
}
