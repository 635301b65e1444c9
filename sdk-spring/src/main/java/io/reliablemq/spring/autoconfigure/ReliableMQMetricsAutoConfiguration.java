package io.reliablemq.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.internal.ReliableMQMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Binds the producer's gauges to the application's {@link MeterRegistry} when there is one. */
@AutoConfiguration(
    after = ReliableMQAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({MeterRegistry.class, ReliableProducer.class})
public class ReliableMQMetricsAutoConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQMetricsAutoConfiguration() {}

  /**
   * The producer's gauges, bound to the registry.
   *
   * @param producer the producer
   * @param registry the registry
   * @return the binder
   */
  @Bean
  @ConditionalOnMissingBean
  public ReliableMQMetrics reliableMQMetrics(ReliableProducer producer, MeterRegistry registry) {
    ReliableMQMetrics metrics = new ReliableMQMetrics(producer);
    metrics.bindTo(registry);
    return metrics;
  }
}
