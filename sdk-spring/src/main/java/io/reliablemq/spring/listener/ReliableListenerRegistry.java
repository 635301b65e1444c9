package io.reliablemq.spring.listener;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.DedupKeyExtractor;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.spring.internal.AppDatabase;
import io.reliablemq.spring.internal.CoreConfigs;
import io.reliablemq.spring.internal.ListenerContainer;
import io.reliablemq.spring.internal.ListenerEndpoint;
import io.reliablemq.spring.internal.PayloadConverter;
import io.reliablemq.spring.internal.TransactionalDedupSupport;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * Holds a listener container per {@link ReliableMessageListener} method and runs them with the
 * application context: started after every singleton exists, stopped early on shutdown (before the
 * producer, replayer and stores close, which are beans it depends on or that close later).
 */
public class ReliableListenerRegistry implements SmartLifecycle, DisposableBean {
  /** Stops among the first lifecycle beans, so listeners stop before anything they use. */
  public static final int PHASE = Integer.MAX_VALUE - 1000;

  private final ReliableMQProperties properties;
  private final ClientSettings client;
  private final ObjectProvider<DedupStore> dedupStores;
  private final MeterRegistry meterRegistry;
  private final PayloadConverter converter;
  private final ObjectProvider<DataSource> dataSources;
  // Dedup stores in application databases, opened for transactionalDedup listeners; owned here.
  private final Map<DataSource, JdbcDedupStore> transactionalStores = new IdentityHashMap<>();
  private final List<ListenerContainer> containers = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private volatile boolean running;

  /**
   * Creates an empty registry.
   *
   * @param properties the properties
   * @param client how to reach the proxy
   * @param dedupStores the store of idempotent listeners, resolved on first use; none when dedup is
   *     off
   * @param meterRegistry where consumers record metrics, or null
   * @param converter converts bodies to parameters
   */
  public ReliableListenerRegistry(
      ReliableMQProperties properties,
      ClientSettings client,
      ObjectProvider<DedupStore> dedupStores,
      MeterRegistry meterRegistry,
      PayloadConverter converter) {
    this(properties, client, dedupStores, meterRegistry, converter, null);
  }

  /**
   * Creates an empty registry that can run {@code transactionalDedup} listeners.
   *
   * @param properties the properties
   * @param client how to reach the proxy
   * @param dedupStores the store of idempotent listeners, resolved on first use; none when dedup is
   *     off
   * @param meterRegistry where consumers record metrics, or null
   * @param converter converts bodies to parameters
   * @param dataSources the application's database for {@code transactionalDedup} listeners, or null
   *     when there is none
   */
  public ReliableListenerRegistry(
      ReliableMQProperties properties,
      ClientSettings client,
      ObjectProvider<DedupStore> dedupStores,
      MeterRegistry meterRegistry,
      PayloadConverter converter,
      ObjectProvider<DataSource> dataSources) {
    this.dataSources = dataSources;
    this.properties = properties;
    this.client = client;
    this.dedupStores = dedupStores;
    this.meterRegistry = meterRegistry;
    this.converter = converter;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "reliablemq-listener-start");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Adds a listener; it starts now when the registry is running.
   *
   * @param endpoint the resolved method
   * @throws IllegalStateException when the listener is idempotent and there is no dedup store
   */
  public void register(ListenerEndpoint endpoint) {
    DataSource txDataSource =
        endpoint.transactionalDedup() ? transactionalDataSource(endpoint) : null;
    DedupStore dedupStore =
        txDataSource != null
            ? transactionalStore(txDataSource)
            : endpoint.idempotent() ? dedupStores.getIfAvailable() : null;
    if (endpoint.idempotent() && dedupStore == null) {
      throw new IllegalStateException(
          "@ReliableMessageListener "
              + endpoint.beanName()
              + "."
              + endpoint.method().getName()
              + " is idempotent but there is no DedupStore (reliablemq.dedup.enabled=false?):"
              + " set idempotent = false or enable the dedup store");
    }
    ReliableConsumerConfig.Builder b =
        ReliableConsumerConfig.custom(client, endpoint.consumerGroup())
            .subscribe(endpoint.topic(), endpoint.tag())
            .dedup(
                endpoint.idempotent()
                    ? CoreConfigs.dedup(properties, dedupStore, keyExtractor(endpoint))
                    : DedupConfig.disabled());
    if (endpoint.concurrency() != null) {
      b.consumptionThreadCount(endpoint.concurrency());
    }
    if (meterRegistry != null) {
      b.meterRegistry(meterRegistry);
    }
    ListenerContainer container =
        new ListenerContainer(
            endpoint,
            b.build(),
            converter,
            scheduler,
            properties.listener().startRetryInterval(),
            properties.listener().shutdownTimeout(),
            txDataSource);
    containers.add(container);
    if (running) {
      container.start();
    }
  }

  private DataSource transactionalDataSource(ListenerEndpoint endpoint) {
    String where = "@ReliableMessageListener " + endpoint.id() + " has transactionalDedup = true";
    if (!TransactionalDedupSupport.available(getClass().getClassLoader())) {
      throw new IllegalStateException(where + " but spring-jdbc is not on the class path");
    }
    DataSource dataSource = dataSources == null ? null : dataSources.getIfUnique();
    if (dataSource == null) {
      throw new IllegalStateException(
          where
              + " but there is no single DataSource bean: the CONSUMED mark must be written in"
              + " the database the method writes to");
    }
    return dataSource;
  }

  private synchronized JdbcDedupStore transactionalStore(DataSource dataSource) {
    return transactionalStores.computeIfAbsent(
        dataSource,
        ds ->
            JdbcDedupStore.create(
                ds, AppDatabase.dedupDialect(ds), CoreConfigs.dedupStore(properties)));
  }

  /** The listener's {@code dedupKey} as an extractor, or null for the standard key. */
  private DedupKeyExtractor keyExtractor(ListenerEndpoint endpoint) {
    Expression expression = endpoint.dedupKey();
    if (expression == null) {
      return null;
    }
    return message -> {
      Object payload;
      try {
        payload = converter.fromMessage(message, endpoint.parameterType());
      } catch (IOException e) {
        throw new IllegalStateException(endpoint.id() + ": cannot convert the payload", e);
      }
      // Read-only data binding plus instance methods: enough for keys, properties and payload
      // fields, without type references or bean access from an annotation attribute.
      EvaluationContext context =
          SimpleEvaluationContext.forReadOnlyDataBinding()
              .withInstanceMethods()
              .withRootObject(message)
              .build();
      context.setVariable("payload", payload);
      Object key = expression.getValue(context);
      if (key == null) {
        throw new IllegalStateException(
            endpoint.id() + ": dedupKey '" + expression.getExpressionString() + "' gave null");
      }
      return key.toString();
    };
  }

  /**
   * The state of every listener.
   *
   * @return one status per annotated method
   */
  public List<ListenerStatus> statuses() {
    return containers.stream().map(ListenerContainer::status).toList();
  }

  @Override
  public void start() {
    running = true;
    containers.forEach(ListenerContainer::start);
  }

  @Override
  public void stop() {
    running = false;
    containers.forEach(ListenerContainer::stop);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public boolean isAutoStartup() {
    return properties.listener().autoStartup();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public void destroy() {
    stop();
    scheduler.shutdownNow();
    synchronized (this) {
      transactionalStores.values().forEach(JdbcDedupStore::close);
      transactionalStores.clear();
    }
  }
}
