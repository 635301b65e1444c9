package io.reliablemq.spring.internal.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.spring.internal.ReliableMQMetrics;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The producer's gauges, registered once in the application's {@link MeterRegistry}. */
@Configuration(proxyBeanMethods = false)
public class ReliableMQMetricsConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQMetricsConfiguration() {}

  /**
   * The producer's gauges, registered when the bean is created. Not a {@code MeterBinder}: Boot
   * binds every such bean itself, and a binder that also registered here was bound twice.
   *
   * @param producer the producer
   * @param registry the registry
   * @param properties the properties, naming the store in the {@code store} tag
   * @return the registered gauges
   */
  @Bean
  @ConditionalOnMissingBean
  public ReliableMQMetrics reliableMQMetrics(
      ReliableProducer producer, MeterRegistry registry, ReliableMQProperties properties) {
    String name = properties.fallback().name();
    return ReliableMQMetrics.register(
        producer, registry, name != null ? name : FallbackStoreConfig.ofDefaults().name());
  }
}
