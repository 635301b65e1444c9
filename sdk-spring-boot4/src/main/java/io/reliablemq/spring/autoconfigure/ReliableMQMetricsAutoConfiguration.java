package io.reliablemq.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.internal.RequireBoot4;
import io.reliablemq.spring.internal.config.ReliableMQMetricsConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/** Registers the producer's gauges once in the application's {@link MeterRegistry}. */
@AutoConfiguration(
    after = ReliableMQAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@Conditional(RequireBoot4.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({MeterRegistry.class, ReliableProducer.class})
@Import(ReliableMQMetricsConfiguration.class)
public class ReliableMQMetricsAutoConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQMetricsAutoConfiguration() {}
}
