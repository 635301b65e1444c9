package io.reliablemq.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/**
 * With Boot's own metrics auto-configuration, which binds every {@code MeterBinder} bean, each
 * ReliableMQ gauge is registered once: Micrometer logs "This Gauge has been already registered"
 * (once as a warning per JVM, then at debug level) for a second registration of the same id.
 */
class MetersOnceTest {
  @TempDir Path tmp;

  @Test
  void withBootsMetricsAutoConfiguration_everyGaugeIsRegisteredOnce_taggedWithTheStore() {
    Logger micrometer = (Logger) LoggerFactory.getLogger("io.micrometer.core.instrument");
    Level before = micrometer.getLevel();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    micrometer.addAppender(log);
    micrometer.setLevel(Level.DEBUG);
    try {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(bootMetrics()))
          .withPropertyValues(
              "reliablemq.endpoints=127.0.0.1:1",
              "reliablemq.ssl-enabled=false",
              "reliablemq.request-timeout=200ms",
              "reliablemq.fallback.name=orders_store",
              "reliablemq.fallback.directory=" + tmp.resolve("fallback"),
              "reliablemq.dedup.directory=" + tmp.resolve("dedup"))
          .run(
              ctx -> {
                assertThat(ctx).hasNotFailed();
                MeterRegistry registry = ctx.getBean(MeterRegistry.class);
                Meter backlog = registry.get("reliablemq.fallback.backlog").meter();
                assertThat(backlog.getId().getTag("store")).isEqualTo("orders_store");
                assertThat(registry.find("reliablemq.circuit.open").meters()).hasSize(1);
              });
    } finally {
      micrometer.detachAppender(log);
      micrometer.setLevel(before);
    }
    assertThat(log.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .noneMatch(m -> m.contains("has been already registered"));
  }

  /** Ours and Boot's metrics auto-configurations, whose package moved in Boot 4. */
  private static Class<?>[] bootMetrics() {
    boolean boot4 = ClassUtils.isPresent("org.springframework.boot.EnvironmentPostProcessor", null);
    String p =
        boot4
            ? "org.springframework.boot.micrometer.metrics.autoconfigure."
            : "org.springframework.boot.actuate.autoconfigure.metrics.";
    List<Class<?>> classes = new ArrayList<>();
    classes.add(ReliableMQAutoConfiguration.class);
    classes.add(ReliableMQMetricsAutoConfiguration.class);
    for (String name :
        new String[] {
          "MetricsAutoConfiguration",
          "CompositeMeterRegistryAutoConfiguration",
          "export.simple.SimpleMetricsExportAutoConfiguration"
        }) {
      classes.add(ClassUtils.resolveClassName(p + name, null));
    }
    return classes.toArray(Class<?>[]::new);
  }
}
