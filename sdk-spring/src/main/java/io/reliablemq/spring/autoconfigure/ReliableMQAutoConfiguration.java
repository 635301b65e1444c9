package io.reliablemq.spring.autoconfigure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.internal.ReliableProducerImpl;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.internal.CoreConfigs;
import io.reliablemq.spring.internal.PayloadConverter;
import io.reliablemq.spring.internal.ReliableListenerPostProcessor;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import io.reliablemq.transaction.TransactionalSender;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

/**
 * Auto-configuration of the client settings, fallback store, {@link ReliableProducer}, {@link
 * ReliableTemplate}, dedup store and annotated listeners. Every bean backs off when the application
 * defines one of the same type. Beans close in reverse order on shutdown: listeners stop first (a
 * lifecycle phase), then the producer (stopping its replayer), then the stores.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration")
@ConditionalOnProperty(
    prefix = "reliablemq",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(ReliableMQProperties.class)
public class ReliableMQAutoConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQAutoConfiguration() {}

  /**
   * How to reach the proxy.
   *
   * @param properties the properties
   * @return the settings
   */
  @Bean
  @ConditionalOnMissingBean
  public ClientSettings reliableMQClientSettings(ReliableMQProperties properties) {
    return CoreConfigs.clientSettings(properties);
  }

  /**
   * The embedded H2 fallback store, closed on shutdown after the producer.
   *
   * @param properties the properties
   * @return the open store
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(FallbackStore.class)
  @ConditionalOnProperty(
      prefix = "reliablemq.fallback",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  public JdbcFallbackStore reliableMQFallbackStore(ReliableMQProperties properties) {
    return JdbcFallbackStore.h2(CoreConfigs.fallbackStore(properties));
  }

  /**
   * The producer; it starts while the broker is down. It is the application's one client: the
   * transactional sender, when enabled, sends its half messages through it and its client answers
   * the check-backs, announcing {@code reliablemq.transaction.topics} at start.
   *
   * @param properties the properties
   * @param client the client settings
   * @param store the fallback store, if any
   * @return the started producer
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public ReliableProducer reliableProducer(
      ReliableMQProperties properties, ClientSettings client, ObjectProvider<FallbackStore> store) {
    ReliableMQProperties.Transaction tx = properties.getTransaction();
    return ReliableProducerImpl.create(
        CoreConfigs.producer(properties, client, store.getIfAvailable()),
        tx.isEnabled() ? tx.getTopics() : java.util.List.of());
  }

  /**
   * The template.
   *
   * @param producer the producer
   * @param mapper the application's JSON mapper, if any
   * @param sender the transactional sender, if any
   * @param dataSource the application's database, joined by {@code sendInTransaction} inside an
   *     outer transaction
   * @return the template
   */
  @Bean
  @ConditionalOnMissingBean
  public ReliableTemplate reliableTemplate(
      ReliableProducer producer,
      ObjectProvider<ObjectMapper> mapper,
      ObjectProvider<TransactionalSender> sender,
      ObjectProvider<DataSource> dataSource) {
    TransactionalSender tx = sender.getIfAvailable();
    return new ReliableTemplate(
        producer,
        mapper.getIfAvailable(ReliableMQAutoConfiguration::mapper),
        tx,
        // The sender's database (the transaction configuration requires a single candidate):
        // lets sendInTransaction join an outer transaction on it.
        tx == null ? null : dataSource.getIfUnique());
  }

  /**
   * The embedded H2 dedup store, opened when the first idempotent listener needs it.
   *
   * @param properties the properties
   * @return the open store
   */
  @Bean(destroyMethod = "close")
  @Lazy
  @ConditionalOnMissingBean(DedupStore.class)
  @ConditionalOnProperty(
      prefix = "reliablemq.dedup",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  public JdbcDedupStore reliableMQDedupStore(ReliableMQProperties properties) {
    return JdbcDedupStore.h2(CoreConfigs.dedupStore(properties));
  }

  /**
   * Finds {@code @ReliableMessageListener} methods.
   *
   * @return the post-processor
   */
  @Bean
  @ConditionalOnMissingBean
  public static ReliableListenerPostProcessor reliableListenerPostProcessor() {
    return new ReliableListenerPostProcessor();
  }

  /**
   * Runs the listener containers.
   *
   * @param properties the properties
   * @param client the client settings
   * @param dedupStore the dedup store, if any
   * @param meterRegistry the meter registry, if any
   * @param mapper the application's JSON mapper, if any
   * @param dataSources the application's database, for {@code transactionalDedup} listeners
   * @return the registry
   */
  @Bean
  @ConditionalOnMissingBean
  public ReliableListenerRegistry reliableListenerRegistry(
      ReliableMQProperties properties,
      ClientSettings client,
      ObjectProvider<DedupStore> dedupStore,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<ObjectMapper> mapper,
      ObjectProvider<DataSource> dataSources) {
    return new ReliableListenerRegistry(
        properties,
        client,
        dedupStore,
        meterRegistry.getIfAvailable(),
        new PayloadConverter(mapper.getIfAvailable(ReliableMQAutoConfiguration::mapper)),
        dataSources);
  }

  private static ObjectMapper mapper() {
    return JsonMapper.builder().findAndAddModules().build();
  }
}
