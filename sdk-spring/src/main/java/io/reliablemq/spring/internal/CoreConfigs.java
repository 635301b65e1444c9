package io.reliablemq.spring.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.DedupKeyExtractor;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.transaction.LocalTransactionRunner;
import io.reliablemq.transaction.TransactionCheck;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;

/**
 * The one place where {@link ReliableMQProperties} become core configuration. Each value is handed
 * to the core builder, which validates it; a rejection is reported with the property's name.
 */
public final class CoreConfigs {
  /** Stands in for the store when only the dedup settings are validated; never called. */
  private static final DedupStore VALIDATION_ONLY_STORE =
      (DedupStore)
          java.lang.reflect.Proxy.newProxyInstance(
              DedupStore.class.getClassLoader(),
              new Class<?>[] {DedupStore.class},
              (proxy, method, args) -> {
                throw new UnsupportedOperationException("validation only");
              });

  /** Stands in for the database when only the transaction settings are validated; never called. */
  private static final javax.sql.DataSource VALIDATION_ONLY_DS =
      (javax.sql.DataSource)
          java.lang.reflect.Proxy.newProxyInstance(
              javax.sql.DataSource.class.getClassLoader(),
              new Class<?>[] {javax.sql.DataSource.class},
              (proxy, method, args) -> {
                throw new UnsupportedOperationException("validation only");
              });

  private final ReliableMQProperties p;
  private final List<String> problems;

  private CoreConfigs(ReliableMQProperties p, List<String> problems) {
    this.p = p;
    this.problems = problems;
  }

  /**
   * Every invalid property, each message starting with the property's name.
   *
   * @param p the properties
   * @return the problems, empty when the properties are valid
   */
  public static List<String> problems(ReliableMQProperties p) {
    List<String> problems = new ArrayList<>();
    CoreConfigs c = new CoreConfigs(p, problems);
    c.client();
    c.retry();
    c.circuit();
    c.replay();
    if (p.getFallback().isEnabled()) {
      c.fallbackStore();
    }
    if (p.getDedup().isEnabled()) {
      c.dedupStore();
      c.dedup(VALIDATION_ONLY_STORE, null);
    }
    if (p.getTransaction().isEnabled() && p.getTransaction().getOutbox().isEnabled()) {
      c.outboxStore();
    }
    if (p.getTransaction().isEnabled()) {
      c.transactionSettings(
          TransactionalSenderConfig.custom(
              ClientSettings.custom().endpoints("validation:1").build(), VALIDATION_ONLY_DS));
    }
    c.positive("reliablemq.listener.start-retry-interval", p.getListener().getStartRetryInterval());
    c.positive("reliablemq.listener.shutdown-timeout", p.getListener().getShutdownTimeout());
    return problems;
  }

  /**
   * The client settings.
   *
   * @param p the properties
   * @return the settings
   * @throws IllegalArgumentException naming the property when one is invalid
   */
  public static ClientSettings clientSettings(ReliableMQProperties p) {
    return new CoreConfigs(p, null).client();
  }

  /**
   * The producer configuration over the given client and store.
   *
   * @param p the properties
   * @param client the client settings
   * @param store the fallback store, or null for none
   * @return the config
   */
  public static ReliableProducerConfig producer(
      ReliableMQProperties p, ClientSettings client, FallbackStore store) {
    // No transaction check here: a transactional sender attaches its own to the producer.
    CoreConfigs c = new CoreConfigs(p, null);
    return ReliableProducerConfig.custom(client)
        .retry(c.retry())
        .circuit(c.circuit())
        .replay(c.replay())
        .fallbackStore(store)
        .build();
  }

  /**
   * The transactional sender configuration.
   *
   * @param p the properties
   * @param client the client settings
   * @param dataSource the business database, which also holds the log
   * @param runner runs the local transaction, or null for plain JDBC
   * @param meterRegistry the meter registry, or null
   * @param checkers user checkers by business type
   * @param outbox the outbox in the business database, or null without outbox mode
   * @return the config
   */
  public static TransactionalSenderConfig transactionalSender(
      ReliableMQProperties p,
      ClientSettings client,
      javax.sql.DataSource dataSource,
      LocalTransactionRunner runner,
      MeterRegistry meterRegistry,
      java.util.Map<String, TransactionCheck> checkers,
      io.reliablemq.fallback.jdbc.JdbcFallbackStore outbox) {
    CoreConfigs c = new CoreConfigs(p, null);
    TransactionalSenderConfig.Builder b = TransactionalSenderConfig.custom(client, dataSource);
    // The core defaults to H2; the log lives in the application's database, whatever it is.
    b.logDialect(AppDatabase.transactionLogDialect(dataSource));
    c.transactionSettings(b);
    b.retry(c.retry());
    if (outbox != null) {
      b.outbox(outbox).replay(c.replay());
    }
    if (runner != null) {
      b.localTransactionRunner(runner);
    }
    if (meterRegistry != null) {
      b.meterRegistry(meterRegistry);
    }
    checkers.forEach(
        (type, check) -> {
          try {
            b.checker(type, check);
          } catch (IllegalArgumentException e) {
            c.fail("@ReliableTransactionHandler(type = \"" + type + "\")", e.getMessage());
          }
        });
    return c.build("reliablemq.transaction", b::build);
  }

  private void transactionSettings(TransactionalSenderConfig.Builder b) {
    ReliableMQProperties.Transaction t = p.getTransaction();
    set("reliablemq.transaction.table-prefix", t.getTablePrefix(), b::tablePrefix);
    set("reliablemq.transaction.grace-period", t.getGracePeriod(), b::gracePeriod);
    set("reliablemq.transaction.log-retention", t.getLogRetention(), b::logRetention);
    set(
        "reliablemq.transaction.topics",
        t.getTopics(),
        topics -> b.topics(topics.toArray(String[]::new)));
  }

  /**
   * The outbox store configuration (a fallback store in the application's database).
   *
   * @param p the properties
   * @return the config
   */
  public static FallbackStoreConfig outboxStore(ReliableMQProperties p) {
    return new CoreConfigs(p, null).outboxStore();
  }

  /**
   * The embedded fallback store configuration.
   *
   * @param p the properties
   * @return the config
   */
  public static FallbackStoreConfig fallbackStore(ReliableMQProperties p) {
    return new CoreConfigs(p, null).fallbackStore();
  }

  /**
   * The embedded dedup store configuration.
   *
   * @param p the properties
   * @return the config
   */
  public static DedupStoreConfig dedupStore(ReliableMQProperties p) {
    return new CoreConfigs(p, null).dedupStore();
  }

  /**
   * The dedup configuration of an idempotent listener.
   *
   * @param p the properties
   * @param store the dedup store
   * @return the config
   */
  public static DedupConfig dedup(ReliableMQProperties p, DedupStore store) {
    return dedup(p, store, null);
  }

  /**
   * The dedup configuration of an idempotent listener with its own key.
   *
   * @param p the properties
   * @param store the dedup store
   * @param keyExtractor the listener's key, or null for the standard key
   * @return the config
   */
  public static DedupConfig dedup(
      ReliableMQProperties p, DedupStore store, DedupKeyExtractor keyExtractor) {
    return new CoreConfigs(p, null).dedup(store, keyExtractor);
  }

  private ClientSettings client() {
    ClientSettings.Builder b = ClientSettings.custom();
    if (p.getEndpoints() == null || p.getEndpoints().isBlank()) {
      fail("reliablemq.endpoints", "must be set to the proxy's host:port[;host:port...]");
    } else {
      set("reliablemq.endpoints", p.getEndpoints(), b::endpoints);
    }
    set("reliablemq.namespace", p.getNamespace(), b::namespace);
    set("reliablemq.request-timeout", p.getRequestTimeout(), b::requestTimeout);
    set(
        "reliablemq.reconnect-probe-interval",
        p.getReconnectProbeInterval(),
        b::reconnectProbeInterval);
    b.sslEnabled(p.isSslEnabled());
    boolean hasAccess = p.getAccessKey() != null && !p.getAccessKey().isBlank();
    boolean hasSecret = p.getSecretKey() != null && !p.getSecretKey().isBlank();
    if (hasAccess != hasSecret) {
      fail("reliablemq.access-key", "and reliablemq.secret-key must be set together, or neither");
    } else if (hasAccess) {
      b.credentialsProvider(
          new StaticSessionCredentialsProvider(p.getAccessKey(), p.getSecretKey()));
    }
    return build("reliablemq", b::build);
  }

  private SendRetryConfig retry() {
    ReliableMQProperties.Retry r = p.getRetry();
    SendRetryConfig.Builder b = SendRetryConfig.custom();
    set("reliablemq.retry.max-attempts", r.getMaxAttempts(), b::maxAttempts);
    set("reliablemq.retry.initial-backoff", r.getInitialBackoff(), b::initialBackoff);
    set("reliablemq.retry.multiplier", r.getMultiplier(), b::multiplier);
    set("reliablemq.retry.max-backoff", r.getMaxBackoff(), b::maxBackoff);
    set("reliablemq.retry.jitter", r.getJitter(), b::jitter);
    set("reliablemq.retry.total-deadline", r.getTotalDeadline(), b::totalDeadline);
    return build("reliablemq.retry", b::build);
  }

  private CircuitConfig circuit() {
    ReliableMQProperties.Circuit r = p.getCircuit();
    CircuitConfig.Builder b = CircuitConfig.custom();
    set("reliablemq.circuit.enabled", r.getEnabled(), b::enabled);
    set(
        "reliablemq.circuit.failure-rate-threshold",
        r.getFailureRateThreshold(),
        b::failureRateThreshold);
    set("reliablemq.circuit.sliding-window-size", r.getSlidingWindowSize(), b::slidingWindowSize);
    set(
        "reliablemq.circuit.minimum-number-of-calls",
        r.getMinimumNumberOfCalls(),
        b::minimumNumberOfCalls);
    set("reliablemq.circuit.wait-in-open-state", r.getWaitInOpenState(), b::waitInOpenState);
    set(
        "reliablemq.circuit.permitted-calls-in-half-open-state",
        r.getPermittedCallsInHalfOpenState(),
        b::permittedCallsInHalfOpenState);
    return build("reliablemq.circuit", b::build);
  }

  private ReplayConfig replay() {
    ReliableMQProperties.Replay r = p.getReplay();
    ReplayConfig.Builder b = ReplayConfig.custom();
    set("reliablemq.replay.enabled", r.getEnabled(), b::enabled);
    set("reliablemq.replay.max-rate-per-second", r.getMaxRatePerSecond(), b::maxRatePerSecond);
    set("reliablemq.replay.batch-size", r.getBatchSize(), b::batchSize);
    set("reliablemq.replay.idle-poll", r.getIdlePoll(), b::idlePoll);
    set("reliablemq.replay.max-backoff", r.getMaxBackoff(), b::maxBackoff);
    set("reliablemq.replay.instance-id", r.getInstanceId(), b::instanceId);
    return build("reliablemq.replay", b::build);
  }

  private FallbackStoreConfig outboxStore() {
    FallbackStoreConfig.Builder b = FallbackStoreConfig.custom();
    set(
        "reliablemq.transaction.outbox.table-prefix",
        p.getTransaction().getOutbox().getTablePrefix(),
        b::tablePrefix);
    return build("reliablemq.transaction.outbox", b::build);
  }

  private FallbackStoreConfig fallbackStore() {
    ReliableMQProperties.Fallback r = p.getFallback();
    FallbackStoreConfig.Builder b = FallbackStoreConfig.custom();
    set("reliablemq.fallback.directory", r.getDirectory(), b::directory);
    set("reliablemq.fallback.name", r.getName(), b::name);
    set("reliablemq.fallback.max-rows", r.getMaxRows(), b::maxRows);
    set("reliablemq.fallback.max-bytes", r.getMaxBytes(), b::maxBytes);
    set("reliablemq.fallback.durability", r.getDurability(), b::durability);
    return build("reliablemq.fallback", b::build);
  }

  private DedupStoreConfig dedupStore() {
    ReliableMQProperties.Dedup r = p.getDedup();
    DedupStoreConfig.Builder b = DedupStoreConfig.custom();
    set("reliablemq.dedup.directory", r.getDirectory(), b::directory);
    set("reliablemq.dedup.name", r.getName(), b::name);
    set("reliablemq.dedup.table-prefix", r.getTablePrefix(), b::tablePrefix);
    return build("reliablemq.dedup", b::build);
  }

  private DedupConfig dedup(DedupStore store, DedupKeyExtractor keyExtractor) {
    DedupConfig.Builder b = DedupConfig.custom(store);
    set("reliablemq.dedup.ttl", p.getDedup().getTtl(), b::ttl);
    set("reliablemq.dedup.order-guard-wait", p.getDedup().getOrderGuardWait(), b::orderGuardWait);
    if (keyExtractor != null) {
      b.keyExtractor(keyExtractor);
    }
    return build("reliablemq.dedup", b::build);
  }

  private void positive(String property, java.time.Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      fail(property, "must be positive, was " + value);
    }
  }

  private <T> void set(String property, T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException | NullPointerException e) {
      fail(property, "invalid value " + value + ": " + e.getMessage());
    }
  }

  private <T> T build(String section, Supplier<T> builder) {
    try {
      return builder.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      if (problems != null && !problems.isEmpty()) {
        return null; // already reported more precisely
      }
      fail(section, e.getMessage());
      return null;
    }
  }

  private void fail(String property, String message) {
    String problem = property + " " + message;
    if (problems == null) {
      throw new IllegalArgumentException(problem);
    }
    problems.add(problem);
  }
}
