package io.reliablemq.spring.internal.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.internal.ReliableProducerImpl;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.spring.internal.AppDatabase;
import io.reliablemq.spring.internal.CoreConfigs;
import io.reliablemq.spring.internal.OutboxStore;
import io.reliablemq.spring.internal.SpringLocalTransactionRunner;
import io.reliablemq.spring.transaction.ReliableTransactionHandler;
import io.reliablemq.transaction.LocalTransactionRunner;
import io.reliablemq.transaction.TransactionalSender;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@link TransactionalSender} over the application's {@link DataSource}; its local transactions
 * run through the application's {@link PlatformTransactionManager} when there is one, plain JDBC
 * otherwise. The sender sits on the application's {@code ReliableProducer}: one client sends plain
 * and transactional messages and answers the check-backs with the sender's check.
 */
@Configuration(proxyBeanMethods = false)
public class ReliableMQTransactionConfiguration {

  /** Creates the configuration (instantiated by Spring). */
  public ReliableMQTransactionConfiguration() {}

  /**
   * The sender, closed on shutdown.
   *
   * @param properties the properties
   * @param client the client settings
   * @param dataSource the business database
   * @param runner the local transaction runner, if any
   * @param meterRegistry the meter registry, if any
   * @param context the application context, searched for {@link ReliableTransactionHandler} beans
   * @param outbox the outbox, when {@code reliablemq.transaction.outbox.enabled=true}
   * @param producer the application's producer, which the sender sends through (closed after it)
   * @return the started sender
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public TransactionalSender reliableTransactionalSender(
      ReliableMQProperties properties,
      ClientSettings client,
      DataSource dataSource,
      ObjectProvider<LocalTransactionRunner> runner,
      ObjectProvider<MeterRegistry> meterRegistry,
      ApplicationContext context,
      ObjectProvider<OutboxStore> outbox,
      ObjectProvider<ReliableProducer> producer) {
    Map<String, TransactionCheck> checkers = new LinkedHashMap<>();
    context
        .getBeansWithAnnotation(ReliableTransactionHandler.class)
        .forEach(
            (name, bean) -> {
              ReliableTransactionHandler a =
                  context.findAnnotationOnBean(name, ReliableTransactionHandler.class);
              if (!(bean instanceof TransactionCheck check)) {
                throw new IllegalStateException(
                    "@ReliableTransactionHandler bean '"
                        + name
                        + "' must implement io.reliablemq.producer.TransactionCheck");
              }
              String type = context.getEnvironment().resolveRequiredPlaceholders(a.type());
              if (checkers.putIfAbsent(type, check) != null) {
                throw new IllegalStateException(
                    "@ReliableTransactionHandler bean '"
                        + name
                        + "': business type '"
                        + type
                        + "' has a handler already");
              }
            });
    TransactionalSenderConfig config =
        CoreConfigs.transactionalSender(
            properties,
            client,
            dataSource,
            runner.getIfAvailable(),
            meterRegistry.getIfAvailable(),
            checkers,
            outbox.stream().map(OutboxStore::store).findFirst().orElse(null));
    ReliableProducer shared = producer.getIfAvailable();
    // On the application's producer: one client, one retry/circuit machine, one set of threads.
    // Only a producer of another kind (a test double) leaves the sender a client of its own.
    return shared instanceof ReliableProducerImpl
        ? TransactionalSender.create(config, shared)
        : TransactionalSender.create(config);
  }

  /**
   * The outbox table in the application's database, closed after the sender.
   *
   * @param properties the properties
   * @param dataSource the business database
   * @return the open outbox
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty(
      prefix = "reliablemq.transaction.outbox",
      name = "enabled",
      havingValue = "true")
  public OutboxStore reliableMQOutboxStore(ReliableMQProperties properties, DataSource dataSource) {
    return new OutboxStore(
        JdbcFallbackStore.create(
            dataSource,
            AppDatabase.fallbackDialect(dataSource),
            CoreConfigs.outboxStore(properties)));
  }

  /** The runner over Spring's transaction manager, when spring-tx and spring-jdbc are present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({
    PlatformTransactionManager.class,
    org.springframework.jdbc.datasource.DataSourceUtils.class
  })
  static class SpringTransactionRunner {
    /**
     * The runner.
     *
     * @param transactionManager the transaction manager
     * @param dataSource the business database
     * @return the runner
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(PlatformTransactionManager.class)
    LocalTransactionRunner reliableLocalTransactionRunner(
        PlatformTransactionManager transactionManager, DataSource dataSource) {
      return new SpringLocalTransactionRunner(transactionManager, dataSource);
    }
  }
}
