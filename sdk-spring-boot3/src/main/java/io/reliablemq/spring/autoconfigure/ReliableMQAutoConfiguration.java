package io.reliablemq.spring.autoconfigure;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reliablemq.spring.JsonCodec;
import io.reliablemq.spring.internal.JacksonCodec;
import io.reliablemq.spring.internal.RequireBoot3;
import io.reliablemq.spring.internal.config.ReliableMQCoreConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of the client settings, fallback store, {@code ReliableProducer}, {@code
 * ReliableTemplate}, dedup store and annotated listeners on Spring Boot 3.5 (the beans are those of
 * {@link ReliableMQCoreConfiguration}, shared with the Boot 4 starter); payloads are JSON through
 * the application's Jackson 2 {@link ObjectMapper}. Every bean backs off when the application
 * defines one of the same type. On Spring Boot 4 the startup fails, naming the Boot 4 starter.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration")
@Conditional(RequireBoot3.class)
@ConditionalOnProperty(
    prefix = "reliablemq",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(ReliableMQProperties.class)
@Import(ReliableMQCoreConfiguration.class)
public class ReliableMQAutoConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQAutoConfiguration() {}

  /**
   * Payloads as JSON through the application's mapper, or a default one.
   *
   * @param mapper the application's Jackson 2 mapper, if any
   * @return the codec
   */
  @Bean
  @ConditionalOnMissingBean
  public JsonCodec reliableMQJsonCodec(ObjectProvider<ObjectMapper> mapper) {
    ObjectMapper m = mapper.getIfAvailable();
    return m != null ? new JacksonCodec(m) : JacksonCodec.ofDefaults();
  }
}
