package io.reliablemq.spring.internal.config;

import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.actuate.ReliableMQEndpoint;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Actuator endpoint {@code reliablemq}: its annotations are the same on Boot 3.5 and 4. */
@Configuration(proxyBeanMethods = false)
public class ReliableMQEndpointConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQEndpointConfiguration() {}

  /**
   * The endpoint.
   *
   * @param producer the producer
   * @param listeners the listener registry, if any
   * @param properties the properties
   * @return the endpoint
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  public ReliableMQEndpoint reliableMQEndpoint(
      ReliableProducer producer,
      ObjectProvider<ReliableListenerRegistry> listeners,
      ReliableMQProperties properties) {
    return new ReliableMQEndpoint(
        producer, listeners.getIfAvailable(), properties.management().writeOperationsEnabled());
  }
}
