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
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.transaction.LocalTransactionRunner;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The one place where {@link ReliableMQProperties} become core configuration. Each value is handed
 * to the core builder, which validates it; a rejection is reported with the property's name, which
 * is written once, in the section that sets it. At bind time every section is checked ({@link
 * #problems}) but the dedup TTL, which needs a store: it is checked when the first idempotent
 * listener starts.
 */
public final class CoreConfigs {
  private final ReliableMQProperties p;
  private final List<String> problems; // null: the first problem throws

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
    CoreConfigs c = new CoreConfigs(p, new ArrayList<>());
    c.client();
    c.retry();
    c.circuit();
    c.replay();
    if (p.fallback().enabled()) {
      c.fallbackStore();
    }
    if (p.dedup().enabled()) {
      c.dedupStore();
    }
    if (p.transaction().enabled()) {
      // Only the settings are checked: an H2 data source object that is never connected to.
      c.transactionSettings(
          TransactionalSenderConfig.custom(
              ClientSettings.of("validation:1"), new JdbcDataSource()));
      if (p.transaction().outbox().enabled()) {
        c.outboxStore();
      }
    }
    c.positive("reliablemq.listener.start-retry-interval", p.listener().startRetryInterval());
    c.positive("reliablemq.listener.shutdown-timeout", p.listener().shutdownTimeout());
    return c.problems;
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
   * The producer configuration over the given client and store. No transaction check here: a
   * transactional sender attaches its own to the producer.
   *
   * @param p the properties
   * @param client the client settings
   * @param store the fallback store, or null for none
   * @return the config
   */
  public static ReliableProducerConfig producer(
      ReliableMQProperties p, ClientSettings client, FallbackStore store) {
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
      DataSource dataSource,
      LocalTransactionRunner runner,
      MeterRegistry meterRegistry,
      Map<String, TransactionCheck> checkers,
      JdbcFallbackStore outbox) {
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
    return c.section("reliablemq.transaction").build(b::build);
  }

  private void transactionSettings(TransactionalSenderConfig.Builder b) {
    ReliableMQProperties.Transaction t = p.transaction();
    section("reliablemq.transaction")
        .set("table-prefix", t.tablePrefix(), b::tablePrefix)
        .set("grace-period", t.gracePeriod(), b::gracePeriod)
        .set("log-retention", t.logRetention(), b::logRetention)
        .set("topics", t.topics(), topics -> b.topics(topics.toArray(String[]::new)));
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
   * @param keyExtractor the listener's key, or null for the standard key
   * @return the config
   */
  public static DedupConfig dedup(
      ReliableMQProperties p, DedupStore store, DedupKeyExtractor keyExtractor) {
    DedupConfig.Builder b = DedupConfig.custom(store);
    if (keyExtractor != null) {
      b.keyExtractor(keyExtractor);
    }
    return new CoreConfigs(p, null)
        .section("reliablemq.dedup")
        .set("ttl", p.dedup().ttl(), b::ttl)
        .set("order-guard-wait", p.dedup().orderGuardWait(), b::orderGuardWait)
        .build(b::build);
  }

  private ClientSettings client() {
    ClientSettings.Builder b = ClientSettings.custom();
    Section s = section("reliablemq");
    if (p.endpoints() == null || p.endpoints().isBlank()) {
      fail("reliablemq.endpoints", "must be set to the proxy's host:port[;host:port...]");
    } else {
      s.set("endpoints", p.endpoints(), b::endpoints);
    }
    s.set("namespace", p.namespace(), b::namespace)
        .set("request-timeout", p.requestTimeout(), b::requestTimeout)
        .set("ssl-enabled", p.sslEnabled(), b::sslEnabled)
        .set("reconnect-probe-interval", p.reconnectProbeInterval(), b::reconnectProbeInterval);
    boolean hasAccess = p.accessKey() != null && !p.accessKey().isBlank();
    boolean hasSecret = p.secretKey() != null && !p.secretKey().isBlank();
    if (hasAccess != hasSecret) {
      fail("reliablemq.access-key", "and reliablemq.secret-key must be set together, or neither");
    } else if (hasAccess) {
      b.credentialsProvider(new StaticSessionCredentialsProvider(p.accessKey(), p.secretKey()));
    }
    return s.build(b::build);
  }

  private SendRetryConfig retry() {
    ReliableMQProperties.Retry r = p.retry();
    SendRetryConfig.Builder b = SendRetryConfig.custom();
    return section("reliablemq.retry")
        .set("max-attempts", r.maxAttempts(), b::maxAttempts)
        .set("initial-backoff", r.initialBackoff(), b::initialBackoff)
        .set("multiplier", r.multiplier(), b::multiplier)
        .set("max-backoff", r.maxBackoff(), b::maxBackoff)
        .set("jitter", r.jitter(), b::jitter)
        .set("total-deadline", r.totalDeadline(), b::totalDeadline)
        .build(b::build);
  }

  private CircuitConfig circuit() {
    ReliableMQProperties.Circuit r = p.circuit();
    CircuitConfig.Builder b = CircuitConfig.custom();
    return section("reliablemq.circuit")
        .set("enabled", r.enabled(), b::enabled)
        .set("failure-rate-threshold", r.failureRateThreshold(), b::failureRateThreshold)
        .set("sliding-window-size", r.slidingWindowSize(), b::slidingWindowSize)
        .set("minimum-number-of-calls", r.minimumNumberOfCalls(), b::minimumNumberOfCalls)
        .set("wait-in-open-state", r.waitInOpenState(), b::waitInOpenState)
        .set(
            "permitted-calls-in-half-open-state",
            r.permittedCallsInHalfOpenState(),
            b::permittedCallsInHalfOpenState)
        .build(b::build);
  }

  private ReplayConfig replay() {
    ReliableMQProperties.Replay r = p.replay();
    ReplayConfig.Builder b = ReplayConfig.custom();
    return section("reliablemq.replay")
        .set("enabled", r.enabled(), b::enabled)
        .set("max-rate-per-second", r.maxRatePerSecond(), b::maxRatePerSecond)
        .set("batch-size", r.batchSize(), b::batchSize)
        .set("idle-poll", r.idlePoll(), b::idlePoll)
        .set("max-backoff", r.maxBackoff(), b::maxBackoff)
        .set("instance-id", r.instanceId(), b::instanceId)
        .build(b::build);
  }

  private FallbackStoreConfig outboxStore() {
    FallbackStoreConfig.Builder b = FallbackStoreConfig.custom();
    return section("reliablemq.transaction.outbox")
        .set("table-prefix", p.transaction().outbox().tablePrefix(), b::tablePrefix)
        .build(b::build);
  }

  private FallbackStoreConfig fallbackStore() {
    ReliableMQProperties.Fallback r = p.fallback();
    FallbackStoreConfig.Builder b = FallbackStoreConfig.custom();
    return section("reliablemq.fallback")
        .set("directory", r.directory(), b::directory)
        .set("name", r.name(), b::name)
        .set("max-rows", r.maxRows(), b::maxRows)
        .set("max-bytes", r.maxBytes(), b::maxBytes)
        .set("durability", r.durability(), b::durability)
        .build(b::build);
  }

  private DedupStoreConfig dedupStore() {
    ReliableMQProperties.Dedup r = p.dedup();
    DedupStoreConfig.Builder b = DedupStoreConfig.custom();
    return section("reliablemq.dedup")
        .set("directory", r.directory(), b::directory)
        .set("name", r.name(), b::name)
        .set("table-prefix", r.tablePrefix(), b::tablePrefix)
        .build(b::build);
  }

  private void positive(String property, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      fail(property, "must be positive, was " + value);
    }
  }

  private Section section(String prefix) {
    return new Section(prefix);
  }

  private void fail(String property, String message) {
    String problem = property + " " + message;
    if (problems == null) {
      throw new IllegalArgumentException(problem);
    }
    problems.add(problem);
  }

  /** One group of properties: each value set is named {@code prefix.name} when rejected. */
  private final class Section {
    private final String prefix;

    private Section(String prefix) {
      this.prefix = prefix;
    }

    <T> Section set(String name, T value, Consumer<T> setter) {
      if (value != null) {
        try {
          setter.accept(value);
        } catch (IllegalArgumentException | NullPointerException e) {
          fail(prefix + "." + name, "invalid value " + value + ": " + e.getMessage());
        }
      }
      return this;
    }

    <T> T build(Supplier<T> builder) {
      try {
        return builder.get();
      } catch (IllegalArgumentException | NullPointerException e) {
        if (problems == null || problems.isEmpty()) {
          fail(prefix, e.getMessage()); // a rule across fields; a field's own was reported already
        }
        return null;
      }
    }
  }
}
