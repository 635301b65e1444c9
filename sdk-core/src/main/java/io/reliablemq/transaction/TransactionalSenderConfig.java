package io.reliablemq.transaction;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.id.IdGenerator;
import io.reliablemq.internal.jdbc.StoreNames;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.message.MessageLimits;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.TransactionCheck;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Everything a {@link TransactionalSender} needs. Immutable; build with {@link #custom} or take
 * {@link #ofDefaults}.
 *
 * <p>The grace period is the heart of the check-back: a half message with no log row is rolled back
 * only once it is older than the grace period, so it must be longer than the longest local
 * transaction (including waiting for a pooled connection) and well below the broker's check horizon
 * (RocketMQ 5 defaults: first check after about 6 s, then every 30 s, 15 checks, about 7.5
 * minutes), or the broker drops the half message before the marker is written and a late local
 * commit would succeed without a message. The log retention must exceed that horizon: a row purged
 * while the broker may still ask would be answered as "no row".
 */
public final class TransactionalSenderConfig {
  /** Longest table prefix, so that {@code <prefix>_tx_log} stays within 63 characters. */
  public static final int MAX_TABLE_PREFIX_LENGTH = 40;

  /** Longest grace period. */
  public static final Duration MAX_GRACE_PERIOD = Duration.ofHours(1);

  /** Shortest log retention. */
  public static final Duration MIN_LOG_RETENTION = Duration.ofMinutes(10);

  private static final Pattern TYPE = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");

  private final ClientSettings client;
  private final DataSource dataSource;
  private final LocalTransactionRunner runner;
  private final TransactionLogDialect logDialect;
  private final String tablePrefix;
  private final SchemaManagement schemaManagement;
  private final Duration gracePeriod;
  private final Duration logRetention;
  private final Duration cleanupInterval;
  private final SendRetryConfig retry;
  private final MessageLimits limits;
  private final Clock clock;
  private final IdGenerator idGenerator;
  private final MeterRegistry meterRegistry;
  private final Map<String, TransactionCheck> checkers;
  private final JdbcFallbackStore outbox;
  private final ReplayConfig replay;
  private final List<String> topics;

  private TransactionalSenderConfig(Builder b) {
    this.client = b.client;
    this.dataSource = b.dataSource;
    this.runner = b.runner != null ? b.runner : LocalTransactionRunner.jdbc(b.dataSource);
    this.logDialect = b.logDialect;
    this.tablePrefix = b.tablePrefix;
    this.schemaManagement = b.schemaManagement;
    this.gracePeriod = b.gracePeriod;
    this.logRetention = b.logRetention;
    this.cleanupInterval = b.cleanupInterval;
    this.retry = b.retry;
    this.limits = b.limits;
    this.clock = b.clock;
    this.idGenerator = b.idGenerator != null ? b.idGenerator : IdGenerator.uuidV7(b.clock);
    this.meterRegistry = b.meterRegistry;
    this.checkers = Map.copyOf(b.checkers);
    this.outbox = b.outbox;
    this.replay = b.replay;
    this.topics = List.copyOf(b.topics);
  }

  /**
   * A config with defaults for everything but the proxy and the business database.
   *
   * @param client how to reach the proxy
   * @param dataSource the business database, which also holds the transaction log
   * @return the config
   */
  public static TransactionalSenderConfig ofDefaults(ClientSettings client, DataSource dataSource) {
    return custom(client, dataSource).build();
  }

  /**
   * Starts a builder.
   *
   * @param client how to reach the proxy
   * @param dataSource the business database, which also holds the transaction log
   * @return a builder at the defaults
   */
  public static Builder custom(ClientSettings client, DataSource dataSource) {
    return new Builder(client, dataSource);
  }

  /**
   * How to reach the proxy.
   *
   * @return the settings
   */
  public ClientSettings client() {
    return client;
  }

  /**
   * The business database; the transaction log lives in it.
   *
   * @return the data source
   */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Runs the local transactions (default: plain JDBC on the data source).
   *
   * @return the runner
   */
  public LocalTransactionRunner localTransactionRunner() {
    return runner;
  }

  /**
   * The SQL dialect of the transaction log.
   *
   * @return the dialect
   */
  public TransactionLogDialect logDialect() {
    return logDialect;
  }

  /**
   * The table prefix: the log is {@code <prefix>_tx_log}, the shared version table {@code
   * <prefix>_schema_version}.
   *
   * @return the prefix
   */
  public String tablePrefix() {
    return tablePrefix;
  }

  /**
   * Whether the sender migrates the log's schema itself or only checks it.
   *
   * @return the mode
   */
  public SchemaManagement schemaManagement() {
    return schemaManagement;
  }

  /**
   * How old a half message with no log row must be before the check-back rolls it back.
   *
   * @return the grace period
   */
  public Duration gracePeriod() {
    return gracePeriod;
  }

  /**
   * How long log rows are kept.
   *
   * @return the retention
   */
  public Duration logRetention() {
    return logRetention;
  }

  /**
   * How often expired log rows are purged.
   *
   * @return the interval
   */
  public Duration cleanupInterval() {
    return cleanupInterval;
  }

  /**
   * How the half message is retried.
   *
   * @return the retry config
   */
  public SendRetryConfig retry() {
    return retry;
  }

  /**
   * Limits validated before any I/O.
   *
   * @return the limits
   */
  public MessageLimits limits() {
    return limits;
  }

  /**
   * The time source.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * The logical id generator.
   *
   * @return the generator
   */
  public IdGenerator idGenerator() {
    return idGenerator;
  }

  /**
   * Where {@code reliablemq.tx} and {@code reliablemq.tx.check} are registered.
   *
   * @return the registry, if any
   */
  public Optional<MeterRegistry> meterRegistry() {
    return Optional.ofNullable(meterRegistry);
  }

  /**
   * The user checkers per business type.
   *
   * @return an unmodifiable map
   */
  public Map<String, TransactionCheck> checkers() {
    return checkers;
  }

  /**
   * The outbox: a fallback store in the business database, written in the local transaction when
   * the broker is unreachable.
   *
   * @return the store, when outbox mode is on
   */
  public Optional<JdbcFallbackStore> outbox() {
    return Optional.ofNullable(outbox);
  }

  /**
   * How the outbox is replayed.
   *
   * @return the replay config
   */
  public ReplayConfig replay() {
    return replay;
  }

  /**
   * Topics announced to the proxy at start, so that check-backs of half messages a previous
   * instance left behind reach this one before it sends anything.
   *
   * @return the topics
   */
  public List<String> topics() {
    return topics;
  }

  /** Builder of {@link TransactionalSenderConfig}. */
  public static final class Builder {
    private final ClientSettings client;
    private final DataSource dataSource;
    private LocalTransactionRunner runner;
    private TransactionLogDialect logDialect = TransactionLogDialect.h2();
    private String tablePrefix = "rmq";
    private SchemaManagement schemaManagement = SchemaManagement.AUTO;
    private Duration gracePeriod = Duration.ofMinutes(1);
    private Duration logRetention = Duration.ofDays(1);
    private Duration cleanupInterval = Duration.ofMinutes(10);
    private SendRetryConfig retry = SendRetryConfig.ofDefaults();
    private MessageLimits limits = MessageLimits.ofDefaults();
    private Clock clock = Clock.systemUTC();
    private IdGenerator idGenerator;
    private MeterRegistry meterRegistry;
    private final Map<String, TransactionCheck> checkers = new LinkedHashMap<>();
    private JdbcFallbackStore outbox;
    private ReplayConfig replay = ReplayConfig.ofDefaults();
    private List<String> topics = List.of();

    private Builder(ClientSettings client, DataSource dataSource) {
      this.client = Objects.requireNonNull(client, "client settings must not be null");
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
    }

    /**
     * Sets the local transaction runner (Spring wires its transaction manager here).
     *
     * @param runner the runner
     * @return this builder
     */
    public Builder localTransactionRunner(LocalTransactionRunner runner) {
      this.runner = Objects.requireNonNull(runner, "localTransactionRunner must not be null");
      return this;
    }

    /**
     * Sets the log's SQL dialect (default H2).
     *
     * @param dialect the dialect
     * @return this builder
     */
    public Builder logDialect(TransactionLogDialect dialect) {
      this.logDialect = Objects.requireNonNull(dialect, "logDialect must not be null");
      return this;
    }

    /**
     * Sets the table prefix (default {@code rmq}).
     *
     * @param prefix matching {@code ^[A-Za-z][A-Za-z0-9_]{0,62}$} and at most {@value
     *     #MAX_TABLE_PREFIX_LENGTH} characters
     * @return this builder
     */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = StoreNames.identifier("tablePrefix", prefix, MAX_TABLE_PREFIX_LENGTH);
      return this;
    }

    /**
     * Sets who manages the log's schema (default AUTO: numbered migrations at start).
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder schemaManagement(SchemaManagement mode) {
      this.schemaManagement = Objects.requireNonNull(mode, "schemaManagement must not be null");
      return this;
    }

    /**
     * Sets the grace period (default 1 minute).
     *
     * @param grace positive, at most {@link #MAX_GRACE_PERIOD}
     * @return this builder
     */
    public Builder gracePeriod(Duration grace) {
      if (grace == null || grace.isNegative() || grace.isZero()) {
        throw new IllegalArgumentException("gracePeriod must be positive, was " + grace);
      }
      if (grace.compareTo(MAX_GRACE_PERIOD) > 0) {
        throw new IllegalArgumentException(
            "gracePeriod must be at most " + MAX_GRACE_PERIOD + ", was " + grace);
      }
      this.gracePeriod = grace;
      return this;
    }

    /**
     * Sets how long log rows are kept (default 1 day).
     *
     * @param retention at least {@link #MIN_LOG_RETENTION} and longer than the grace period
     * @return this builder
     */
    public Builder logRetention(Duration retention) {
      if (retention == null || retention.compareTo(MIN_LOG_RETENTION) < 0) {
        throw new IllegalArgumentException(
            "logRetention must be at least " + MIN_LOG_RETENTION + ", was " + retention);
      }
      this.logRetention = retention;
      return this;
    }

    /**
     * Sets how often expired log rows are purged (default 10 minutes).
     *
     * @param interval between 1 second and 1 day
     * @return this builder
     */
    public Builder cleanupInterval(Duration interval) {
      if (interval == null
          || interval.compareTo(Duration.ofSeconds(1)) < 0
          || interval.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "cleanupInterval must be between PT1S and P1D, was " + interval);
      }
      this.cleanupInterval = interval;
      return this;
    }

    /**
     * Sets how the half message is retried (attempts, backoff, total deadline).
     *
     * @param retry the config
     * @return this builder
     */
    public Builder retry(SendRetryConfig retry) {
      this.retry = Objects.requireNonNull(retry, "retry must not be null");
      return this;
    }

    /**
     * Sets the message limits.
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder limits(MessageLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits must not be null");
      return this;
    }

    /**
     * Sets the clock (message age for the grace period, log timestamps, ids).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Sets the id generator (default: UUIDv7 over the clock).
     *
     * @param idGenerator the generator
     * @return this builder
     */
    public Builder idGenerator(IdGenerator idGenerator) {
      this.idGenerator = Objects.requireNonNull(idGenerator, "idGenerator must not be null");
      return this;
    }

    /**
     * Sets the meter registry (default none).
     *
     * @param registry the registry, or null
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Registers a user checker for one business type (legacy flows sent with {@link
     * TransactionalSender#send(String, io.reliablemq.message.ReliableMessage,
     * java.util.function.Supplier)}).
     *
     * @param businessType 1-64 characters of {@code [A-Za-z0-9_.-]}, not {@link
     *     TransactionCheck#LOG_TYPE}, registered once
     * @param checker the checker
     * @return this builder
     */
    public Builder checker(String businessType, TransactionCheck checker) {
      checkType(businessType);
      Objects.requireNonNull(checker, "checker must not be null");
      if (checkers.putIfAbsent(businessType, checker) != null) {
        throw new IllegalArgumentException(
            "checker: business type '" + businessType + "' is registered already");
      }
      return this;
    }

    /**
     * Turns outbox mode on: when the half message cannot be sent, the message is inserted into this
     * fallback store in the same local transaction as the business effect, instead of failing with
     * {@link TransactionUnavailableException}. The store must live in the same database as {@link
     * #dataSource} (created with {@link JdbcFallbackStore#create}); the sender replays it and does
     * not close it.
     *
     * @param store the store in the business database, or null for no outbox
     * @return this builder
     */
    public Builder outbox(JdbcFallbackStore store) {
      this.outbox = store;
      return this;
    }

    /**
     * Sets how the outbox is replayed.
     *
     * @param replay the config
     * @return this builder
     */
    public Builder replay(ReplayConfig replay) {
      this.replay = Objects.requireNonNull(replay, "replay must not be null");
      return this;
    }

    /**
     * Sets the topics announced at start (so check-backs reach a restarted instance).
     *
     * @param topics the TRANSACTION topics this sender publishes
     * @return this builder
     */
    public Builder topics(String... topics) {
      for (String t : topics) {
        if (t == null || t.isBlank()) {
          throw new IllegalArgumentException("topics must not be blank");
        }
      }
      this.topics = Arrays.asList(topics.clone());
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the immutable config
     * @throws IllegalArgumentException when the log retention is not longer than the grace period
     */
    public TransactionalSenderConfig build() {
      if (logRetention.compareTo(gracePeriod) <= 0) {
        throw new IllegalArgumentException(
            "logRetention must be longer than gracePeriod (" + gracePeriod + ")");
      }
      return new TransactionalSenderConfig(this);
    }

    static void checkType(String type) {
      if (type == null || !TYPE.matcher(type).matches()) {
        throw new IllegalArgumentException(
            "businessType must be 1-64 characters of [A-Za-z0-9_.-], was " + type);
      }
      if (TransactionCheck.LOG_TYPE.equals(type)) {
        throw new IllegalArgumentException(
            "businessType '" + type + "' is reserved for the transaction log");
      }
    }
  }

  /**
   * Checks a business type as {@link Builder#checker} does.
   *
   * @param type the type
   * @throws IllegalArgumentException when it breaks a limit
   */
  public static void checkBusinessType(String type) {
    Builder.checkType(type);
  }
}
