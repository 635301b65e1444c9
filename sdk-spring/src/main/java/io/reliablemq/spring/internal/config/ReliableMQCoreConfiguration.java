package io.reliablemq.spring.internal.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.internal.ReliableProducerImpl;
import io.reliablemq.spring.JsonCodec;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.spring.internal.CoreConfigs;
import io.reliablemq.spring.internal.MeteredProducer;
import io.reliablemq.spring.internal.PayloadConverter;
import io.reliablemq.spring.internal.ReliableListenerPostProcessor;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import io.reliablemq.transaction.TransactionalSender;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.util.ClassUtils;

/**
 * The client settings, fallback store, producer, template, dedup store and annotated listeners.
 * Every bean backs off when the application defines one of the same type. Beans close in reverse
 * order on shutdown: listeners stop first (a lifecycle phase), then the producer (stopping its
 * replayer), then the stores. The {@link JsonCodec} comes from the starter.
 */
@Configuration(proxyBeanMethods = false)
public class ReliableMQCoreConfiguration {
  private static final boolean MICROMETER =
      ClassUtils.isPresent(
          "io.micrometer.core.instrument.MeterRegistry",
          ReliableMQCoreConfiguration.class.getClassLoader());

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQCoreConfiguration() {}

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
    ReliableMQProperties.Transaction tx = properties.transaction();
    return ReliableProducerImpl.create(
        CoreConfigs.producer(properties, client, store.getIfAvailable()),
        tx.enabled() ? tx.topics() : List.of());
  }

  /**
   * The template.
   *
   * @param producer the producer
   * @param codec the starter's JSON codec
   * @param meterRegistry the meter registry, if any: counts the template's send outcomes
   * @param sender the transactional sender, if any
   * @param dataSource the application's database, joined by {@code sendInTransaction} inside an
   *     outer transaction
   * @return the template
   */
  @Bean
  @ConditionalOnMissingBean
  public ReliableTemplate reliableTemplate(
      ReliableProducer producer,
      JsonCodec codec,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<TransactionalSender> sender,
      ObjectProvider<DataSource> dataSource) {
    TransactionalSender tx = sender.getIfAvailable();
    MeterRegistry registry = MICROMETER ? meterRegistry.getIfAvailable() : null;
    ReliableProducer counted =
        registry != null ? new MeteredProducer(producer, registry) : producer;
    // The sender's database (the transaction configuration requires a single candidate): lets
    // sendInTransaction join an outer transaction on it.
    return new ReliableTemplate(counted, codec, tx, tx == null ? null : dataSource.getIfUnique());
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
   * @param codec the starter's JSON codec
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
      JsonCodec codec,
      ObjectProvider<DataSource> dataSources) {
    return new ReliableListenerRegistry(
        properties,
        client,
        dedupStore,
        meterRegistry.getIfAvailable(),
        new PayloadConverter(codec),
        dataSources);
  }
}
