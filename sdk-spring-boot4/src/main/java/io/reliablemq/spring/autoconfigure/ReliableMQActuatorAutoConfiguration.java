package io.reliablemq.spring.autoconfigure;

import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.actuate.ReliableMQHealthIndicator;
import io.reliablemq.spring.internal.RequireBoot4;
import io.reliablemq.spring.internal.config.ReliableMQEndpointConfiguration;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/** The health indicator {@code reliablemq} and the Actuator endpoint {@code reliablemq}. */
@AutoConfiguration(after = ReliableMQAutoConfiguration.class)
@Conditional(RequireBoot4.class)
@ConditionalOnClass({
  HealthIndicator.class,
  ConditionalOnEnabledHealthIndicator.class,
  ConditionalOnAvailableEndpoint.class
})
@ConditionalOnBean(ReliableProducer.class)
@Import(ReliableMQEndpointConfiguration.class)
public class ReliableMQActuatorAutoConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQActuatorAutoConfiguration() {}

  /**
   * The health indicator. Its bean name makes the health component {@code reliablemq}, like the
   * endpoint and {@code management.health.reliablemq.enabled}.
   *
   * @param producer the producer
   * @param listeners the listener registry, if any
   * @param properties the properties
   * @return the indicator
   */
  @Bean("reliablemqHealthIndicator")
  @ConditionalOnMissingBean(name = "reliablemqHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("reliablemq")
  public ReliableMQHealthIndicator reliableMQHealthIndicator(
      ReliableProducer producer,
      ObjectProvider<ReliableListenerRegistry> listeners,
      ReliableMQProperties properties) {
    Long maxRows = properties.fallback().maxRows();
    return new ReliableMQHealthIndicator(
        producer,
        listeners.getIfAvailable(),
        maxRows != null ? maxRows : FallbackStoreConfig.ofDefaults().maxRows());
  }
}
