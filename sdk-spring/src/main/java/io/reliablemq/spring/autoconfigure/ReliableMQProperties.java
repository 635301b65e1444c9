package io.reliablemq.spring.autoconfigure;

import io.reliablemq.fallback.Durability;
import io.reliablemq.spring.internal.CoreConfigs;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of ReliableMQ under {@code reliablemq.*}. A value left unset takes the core SDK's
 * default (named in each field's comment). The properties validate themselves when bound: the
 * application does not start when one is invalid, and the message names the property.
 */
@ConfigurationProperties(prefix = "reliablemq")
public class ReliableMQProperties implements Validator {

  /** Whether ReliableMQ is auto-configured at all. */
  private boolean enabled = true;

  /** Endpoints of the RocketMQ 5 proxy, {@code host:port[;host:port...]}. Required. */
  private String endpoints;

  /** Access key of the RocketMQ 5 ACL; set together with the secret key, or neither. */
  private String accessKey;

  /** Secret key of the RocketMQ 5 ACL; never logged. */
  private String secretKey;

  /** RocketMQ namespace; empty for none. */
  private String namespace = "";

  /** Timeout of one request to the proxy (one send attempt); positive, at most 1 minute. */
  private Duration requestTimeout = Duration.ofSeconds(3);

  /**
   * How often the endpoints are probed (TCP connect, 20% jitter) while a client looks cut off; once
   * the proxy answers, the client is replaced instead of waiting out gRPC's reconnect backoff. 0
   * turns it off.
   */
  private Duration reconnectProbeInterval = Duration.ofMillis(300);

  /**
   * Whether the connection to the proxy uses TLS. The RocketMQ client trusts any server
   * certificate: this is encryption without verification.
   */
  private boolean sslEnabled = true;

  /** How sends retry. */
  private final Retry retry = new Retry();

  /** The outage detector in front of the broker. */
  private final Circuit circuit = new Circuit();

  /** The local store that takes messages while the broker is unreachable. */
  private final Fallback fallback = new Fallback();

  /** How the fallback store is replayed to the broker. */
  private final Replay replay = new Replay();

  /** The dedup store of idempotent listeners. */
  private final Dedup dedup = new Dedup();

  /** Listener containers. */
  private final Listener listener = new Listener();

  /** The Actuator endpoint {@code reliablemq}. */
  private final Management management = new Management();

  /** The transactional sender over the application's DataSource. */
  private final Transaction transaction = new Transaction();

  /** Creates the properties at their defaults (instantiated by Spring). */
  public ReliableMQProperties() {}

  @Override
  public boolean supports(Class<?> clazz) {
    return ReliableMQProperties.class.isAssignableFrom(clazz);
  }

  @Override
  public void validate(Object target, Errors errors) {
    ReliableMQProperties p = (ReliableMQProperties) target;
    if (!p.isEnabled()) {
      return;
    }
    for (String problem : CoreConfigs.problems(p)) {
      errors.reject("reliablemq.invalid", problem);
    }
  }

  /**
   * Whether ReliableMQ is auto-configured.
   *
   * @return true by default
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Turns auto-configuration on or off.
   *
   * @param enabled false to configure nothing
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * The proxy endpoints.
   *
   * @return {@code host:port[;host:port...]}, or null when unset
   */
  public String getEndpoints() {
    return endpoints;
  }

  /**
   * Sets the proxy endpoints.
   *
   * @param endpoints {@code host:port[;host:port...]}
   */
  public void setEndpoints(String endpoints) {
    this.endpoints = endpoints;
  }

  /**
   * The ACL access key.
   *
   * @return the key, or null
   */
  public String getAccessKey() {
    return accessKey;
  }

  /**
   * Sets the ACL access key.
   *
   * @param accessKey the key
   */
  public void setAccessKey(String accessKey) {
    this.accessKey = accessKey;
  }

  /**
   * The ACL secret key.
   *
   * @return the key, or null
   */
  public String getSecretKey() {
    return secretKey;
  }

  /**
   * Sets the ACL secret key.
   *
   * @param secretKey the key
   */
  public void setSecretKey(String secretKey) {
    this.secretKey = secretKey;
  }

  /**
   * The namespace.
   *
   * @return the namespace, empty for none
   */
  public String getNamespace() {
    return namespace;
  }

  /**
   * Sets the namespace.
   *
   * @param namespace the namespace
   */
  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  /**
   * The timeout of one request.
   *
   * @return the timeout
   */
  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  /**
   * Sets the timeout of one request.
   *
   * @param requestTimeout the timeout
   */
  public void setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
  }

  /**
   * The endpoint probe interval.
   *
   * @return the interval
   */
  public Duration getReconnectProbeInterval() {
    return reconnectProbeInterval;
  }

  /**
   * Sets the endpoint probe interval.
   *
   * @param reconnectProbeInterval the interval, 0 for off
   */
  public void setReconnectProbeInterval(Duration reconnectProbeInterval) {
    this.reconnectProbeInterval = reconnectProbeInterval;
  }

  /**
   * Whether TLS is on.
   *
   * @return true by default
   */
  public boolean isSslEnabled() {
    return sslEnabled;
  }

  /**
   * Turns TLS on or off.
   *
   * @param sslEnabled true for TLS
   */
  public void setSslEnabled(boolean sslEnabled) {
    this.sslEnabled = sslEnabled;
  }

  /**
   * Retry settings.
   *
   * @return the nested properties
   */
  public Retry getRetry() {
    return retry;
  }

  /**
   * Circuit settings.
   *
   * @return the nested properties
   */
  public Circuit getCircuit() {
    return circuit;
  }

  /**
   * Fallback store settings.
   *
   * @return the nested properties
   */
  public Fallback getFallback() {
    return fallback;
  }

  /**
   * Replay settings.
   *
   * @return the nested properties
   */
  public Replay getReplay() {
    return replay;
  }

  /**
   * Dedup settings.
   *
   * @return the nested properties
   */
  public Dedup getDedup() {
    return dedup;
  }

  /**
   * Listener container settings.
   *
   * @return the nested properties
   */
  public Listener getListener() {
    return listener;
  }

  /**
   * Actuator endpoint settings.
   *
   * @return the nested properties
   */
  public Management getManagement() {
    return management;
  }

  /**
   * Transactional sender settings.
   *
   * @return the nested properties
   */
  public Transaction getTransaction() {
    return transaction;
  }

  /** How sends retry ({@code reliablemq.retry.*}); unset values take the core defaults. */
  public static class Retry {
    /** Most attempts of one send, the first included (core default 3). */
    private Integer maxAttempts;

    /** Backoff before the second attempt (core default 100ms). */
    private Duration initialBackoff;

    /** Growth factor of the backoff (core default 2.0). */
    private Double multiplier;

    /** Longest backoff (core default 2s). */
    private Duration maxBackoff;

    /** Random share of each backoff, 0 to 1 (core default 0.5). */
    private Double jitter;

    /** Deadline of one send, all attempts included (core default 10s). */
    private Duration totalDeadline;

    /** Creates the properties at their defaults. */
    public Retry() {}

    /**
     * Most attempts.
     *
     * @return the value, null for the default
     */
    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    /**
     * Sets the most attempts.
     *
     * @param maxAttempts the value
     */
    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    /**
     * First backoff.
     *
     * @return the value, null for the default
     */
    public Duration getInitialBackoff() {
      return initialBackoff;
    }

    /**
     * Sets the first backoff.
     *
     * @param initialBackoff the value
     */
    public void setInitialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
    }

    /**
     * Backoff growth factor.
     *
     * @return the value, null for the default
     */
    public Double getMultiplier() {
      return multiplier;
    }

    /**
     * Sets the backoff growth factor.
     *
     * @param multiplier the value
     */
    public void setMultiplier(Double multiplier) {
      this.multiplier = multiplier;
    }

    /**
     * Longest backoff.
     *
     * @return the value, null for the default
     */
    public Duration getMaxBackoff() {
      return maxBackoff;
    }

    /**
     * Sets the longest backoff.
     *
     * @param maxBackoff the value
     */
    public void setMaxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
    }

    /**
     * Jitter share.
     *
     * @return the value, null for the default
     */
    public Double getJitter() {
      return jitter;
    }

    /**
     * Sets the jitter share.
     *
     * @param jitter the value
     */
    public void setJitter(Double jitter) {
      this.jitter = jitter;
    }

    /**
     * Deadline of one send.
     *
     * @return the value, null for the default
     */
    public Duration getTotalDeadline() {
      return totalDeadline;
    }

    /**
     * Sets the deadline of one send.
     *
     * @param totalDeadline the value
     */
    public void setTotalDeadline(Duration totalDeadline) {
      this.totalDeadline = totalDeadline;
    }
  }

  /** The circuit in front of the broker ({@code reliablemq.circuit.*}). */
  public static class Circuit {
    /** Whether the circuit is on (core default true). */
    private Boolean enabled;

    /** Failure rate, in percent, that opens the circuit. */
    private Float failureRateThreshold;

    /** Calls in the sliding window. */
    private Integer slidingWindowSize;

    /** Calls needed before the rate is computed. */
    private Integer minimumNumberOfCalls;

    /** How long the circuit stays open before probing. */
    private Duration waitInOpenState;

    /** Probe calls let through when half open. */
    private Integer permittedCallsInHalfOpenState;

    /** Creates the properties at their defaults. */
    public Circuit() {}

    /**
     * Whether the circuit is on.
     *
     * @return the value, null for the default
     */
    public Boolean getEnabled() {
      return enabled;
    }

    /**
     * Turns the circuit on or off.
     *
     * @param enabled the value
     */
    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Failure rate threshold.
     *
     * @return the value, null for the default
     */
    public Float getFailureRateThreshold() {
      return failureRateThreshold;
    }

    /**
     * Sets the failure rate threshold.
     *
     * @param failureRateThreshold percent
     */
    public void setFailureRateThreshold(Float failureRateThreshold) {
      this.failureRateThreshold = failureRateThreshold;
    }

    /**
     * Sliding window size.
     *
     * @return the value, null for the default
     */
    public Integer getSlidingWindowSize() {
      return slidingWindowSize;
    }

    /**
     * Sets the sliding window size.
     *
     * @param slidingWindowSize calls
     */
    public void setSlidingWindowSize(Integer slidingWindowSize) {
      this.slidingWindowSize = slidingWindowSize;
    }

    /**
     * Minimum number of calls.
     *
     * @return the value, null for the default
     */
    public Integer getMinimumNumberOfCalls() {
      return minimumNumberOfCalls;
    }

    /**
     * Sets the minimum number of calls.
     *
     * @param minimumNumberOfCalls calls
     */
    public void setMinimumNumberOfCalls(Integer minimumNumberOfCalls) {
      this.minimumNumberOfCalls = minimumNumberOfCalls;
    }

    /**
     * Wait in the open state.
     *
     * @return the value, null for the default
     */
    public Duration getWaitInOpenState() {
      return waitInOpenState;
    }

    /**
     * Sets the wait in the open state.
     *
     * @param waitInOpenState the wait
     */
    public void setWaitInOpenState(Duration waitInOpenState) {
      this.waitInOpenState = waitInOpenState;
    }

    /**
     * Probe calls when half open.
     *
     * @return the value, null for the default
     */
    public Integer getPermittedCallsInHalfOpenState() {
      return permittedCallsInHalfOpenState;
    }

    /**
     * Sets the probe calls when half open.
     *
     * @param permittedCallsInHalfOpenState calls
     */
    public void setPermittedCallsInHalfOpenState(Integer permittedCallsInHalfOpenState) {
      this.permittedCallsInHalfOpenState = permittedCallsInHalfOpenState;
    }
  }

  /** The embedded H2 fallback store ({@code reliablemq.fallback.*}). */
  public static class Fallback {
    /** Whether sends are stored locally while the broker is unreachable (default true). */
    private boolean enabled = true;

    /** Directory of the store file (core default {@code ./reliablemq-fallback}). */
    private Path directory;

    /** Name of the store file, without extension (core default {@code fallback}). */
    private String name;

    /** Most entries held (core default 1,000,000). */
    private Long maxRows;

    /** Most body bytes held (core default 1 GiB). */
    private Long maxBytes;

    /** What a stored message survives: PROCESS_CRASH (default) or POWER_LOSS. */
    private Durability durability;

    /** Creates the properties at their defaults. */
    public Fallback() {}

    /**
     * Whether the store is on.
     *
     * @return true by default
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Turns the store on or off.
     *
     * @param enabled the value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * The directory.
     *
     * @return the value, null for the default
     */
    public Path getDirectory() {
      return directory;
    }

    /**
     * Sets the directory.
     *
     * @param directory the value
     */
    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    /**
     * The file name.
     *
     * @return the value, null for the default
     */
    public String getName() {
      return name;
    }

    /**
     * Sets the file name.
     *
     * @param name the value
     */
    public void setName(String name) {
      this.name = name;
    }

    /**
     * Most entries.
     *
     * @return the value, null for the default
     */
    public Long getMaxRows() {
      return maxRows;
    }

    /**
     * Sets the most entries.
     *
     * @param maxRows the value
     */
    public void setMaxRows(Long maxRows) {
      this.maxRows = maxRows;
    }

    /**
     * Most body bytes.
     *
     * @return the value, null for the default
     */
    public Long getMaxBytes() {
      return maxBytes;
    }

    /**
     * Sets the most body bytes.
     *
     * @param maxBytes the value
     */
    public void setMaxBytes(Long maxBytes) {
      this.maxBytes = maxBytes;
    }

    /**
     * Durability.
     *
     * @return the value, null for the default
     */
    public Durability getDurability() {
      return durability;
    }

    /**
     * Sets the durability.
     *
     * @param durability the value
     */
    public void setDurability(Durability durability) {
      this.durability = durability;
    }
  }

  /** Replay of the fallback store ({@code reliablemq.replay.*}). */
  public static class Replay {
    /** Whether stored messages are replayed (core default true). */
    private Boolean enabled;

    /** Most replays per second. */
    private Integer maxRatePerSecond;

    /** Entries claimed per batch. */
    private Integer batchSize;

    /** Poll interval while the store is empty. */
    private Duration idlePoll;

    /** Longest wait between replay attempts while the broker stays unreachable. */
    private Duration maxBackoff;

    /**
     * Stable id of this instance (letters, digits, '.', '_', '-'; at most 64): a restart on a
     * shared store then frees its previous process's claims at once. Never shared by two instances
     * running at once. Unset: random per start.
     */
    private String instanceId;

    /** Creates the properties at their defaults. */
    public Replay() {}

    /**
     * The stable instance id.
     *
     * @return the id, null for none
     */
    public String getInstanceId() {
      return instanceId;
    }

    /**
     * Sets the stable instance id.
     *
     * @param instanceId the id, null for none
     */
    public void setInstanceId(String instanceId) {
      this.instanceId = instanceId;
    }

    /**
     * Whether replay is on.
     *
     * @return the value, null for the default
     */
    public Boolean getEnabled() {
      return enabled;
    }

    /**
     * Turns replay on or off.
     *
     * @param enabled the value
     */
    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Most replays per second.
     *
     * @return the value, null for the default
     */
    public Integer getMaxRatePerSecond() {
      return maxRatePerSecond;
    }

    /**
     * Sets the most replays per second.
     *
     * @param maxRatePerSecond the value
     */
    public void setMaxRatePerSecond(Integer maxRatePerSecond) {
      this.maxRatePerSecond = maxRatePerSecond;
    }

    /**
     * Batch size.
     *
     * @return the value, null for the default
     */
    public Integer getBatchSize() {
      return batchSize;
    }

    /**
     * Sets the batch size.
     *
     * @param batchSize the value
     */
    public void setBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
    }

    /**
     * Idle poll interval.
     *
     * @return the value, null for the default
     */
    public Duration getIdlePoll() {
      return idlePoll;
    }

    /**
     * Sets the idle poll interval.
     *
     * @param idlePoll the value
     */
    public void setIdlePoll(Duration idlePoll) {
      this.idlePoll = idlePoll;
    }

    /**
     * Longest wait between failed replay attempts.
     *
     * @return the value, null for the default
     */
    public Duration getMaxBackoff() {
      return maxBackoff;
    }

    /**
     * Sets the longest wait between failed replay attempts.
     *
     * @param maxBackoff the value
     */
    public void setMaxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
    }
  }

  /**
   * Outbox mode of the transactional sender ({@code reliablemq.transaction.outbox.*}): when the
   * half message cannot be sent, the message is written to an outbox table in the application's
   * database inside the local transaction, and replayed from there, instead of the send failing.
   */
  public static class Outbox {
    /**
     * Whether outbox mode is on (default false): a broker outage no longer fails {@code
     * sendInTransaction}; the message commits with the local work and is delivered after the
     * outage.
     */
    private boolean enabled;

    /**
     * Prefix of the outbox table in the application's database: {@code <prefix>_fallback} (core
     * default {@code rmq}).
     */
    private String tablePrefix;

    /** Creates the properties at their defaults. */
    public Outbox() {}

    /**
     * Whether outbox mode is on.
     *
     * @return false by default
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Turns outbox mode on or off.
     *
     * @param enabled the value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * The outbox table prefix.
     *
     * @return the value, null for the default
     */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /**
     * Sets the outbox table prefix.
     *
     * @param tablePrefix the value
     */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }
  }

  /** The embedded H2 dedup store ({@code reliablemq.dedup.*}). */
  public static class Dedup {
    /** Whether the dedup store is created (default true); idempotent listeners need it. */
    private boolean enabled = true;

    /** Directory of the store file (core default {@code ./reliablemq-dedup}). */
    private Path directory;

    /** Name of the store file, without extension (core default {@code dedup}). */
    private String name;

    /** How long a consumed key is remembered (core default 24h). */
    private Duration ttl;

    /**
     * Longest wait of a FIFO message for its predecessor, the order guard (core default 60s, 0
     * turns it off).
     */
    private Duration orderGuardWait;

    /**
     * Table prefix of the dedup table that {@code transactionalDedup} listeners create in the
     * application's DataSource: {@code <prefix>_dedup} (core default {@code rmq}).
     */
    private String tablePrefix;

    /** Creates the properties at their defaults. */
    public Dedup() {}

    /**
     * Whether the store is on.
     *
     * @return true by default
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Turns the store on or off.
     *
     * @param enabled the value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * The directory.
     *
     * @return the value, null for the default
     */
    public Path getDirectory() {
      return directory;
    }

    /**
     * Sets the directory.
     *
     * @param directory the value
     */
    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    /**
     * The file name.
     *
     * @return the value, null for the default
     */
    public String getName() {
      return name;
    }

    /**
     * Sets the file name.
     *
     * @param name the value
     */
    public void setName(String name) {
      this.name = name;
    }

    /**
     * Time to live of a consumed key.
     *
     * @return the value, null for the default
     */
    public Duration getTtl() {
      return ttl;
    }

    /**
     * Sets the time to live of a consumed key.
     *
     * @param ttl the value
     */
    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    /**
     * Longest wait of a FIFO message for its predecessor (the order guard).
     *
     * @return the value, null for the default
     */
    public Duration getOrderGuardWait() {
      return orderGuardWait;
    }

    /**
     * Sets the longest wait of a FIFO message for its predecessor; 0 turns the guard off.
     *
     * @param orderGuardWait the value
     */
    public void setOrderGuardWait(Duration orderGuardWait) {
      this.orderGuardWait = orderGuardWait;
    }

    /**
     * The table prefix in the application's database.
     *
     * @return the value, null for the default
     */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /**
     * Sets the table prefix in the application's database.
     *
     * @param tablePrefix the value
     */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }
  }

  /** Listener containers ({@code reliablemq.listener.*}). */
  public static class Listener {
    /** Whether annotated listeners start with the application context (default true). */
    private boolean autoStartup = true;

    /** Wait between attempts to start a listener while the broker is unreachable. */
    private Duration startRetryInterval = Duration.ofSeconds(5);

    /** Longest wait for in-flight handlers on shutdown, per listener. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    /** Creates the properties at their defaults. */
    public Listener() {}

    /**
     * Whether listeners start with the context.
     *
     * @return true by default
     */
    public boolean isAutoStartup() {
      return autoStartup;
    }

    /**
     * Sets whether listeners start with the context.
     *
     * @param autoStartup the value
     */
    public void setAutoStartup(boolean autoStartup) {
      this.autoStartup = autoStartup;
    }

    /**
     * Start retry interval.
     *
     * @return the interval
     */
    public Duration getStartRetryInterval() {
      return startRetryInterval;
    }

    /**
     * Sets the start retry interval.
     *
     * @param startRetryInterval the interval
     */
    public void setStartRetryInterval(Duration startRetryInterval) {
      this.startRetryInterval = startRetryInterval;
    }

    /**
     * Shutdown wait for in-flight handlers.
     *
     * @return the wait
     */
    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    /**
     * Sets the shutdown wait for in-flight handlers.
     *
     * @param shutdownTimeout the wait
     */
    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }
  }

  /** The Actuator endpoint ({@code reliablemq.management.*}). */
  public static class Management {
    /** Whether the endpoint's write operations (replay now, unpark, delete) run (default false). */
    private boolean writeOperationsEnabled;

    /** Creates the properties at their defaults. */
    public Management() {}

    /**
     * Whether write operations run.
     *
     * @return false by default
     */
    public boolean isWriteOperationsEnabled() {
      return writeOperationsEnabled;
    }

    /**
     * Turns write operations on or off.
     *
     * @param writeOperationsEnabled the value
     */
    public void setWriteOperationsEnabled(boolean writeOperationsEnabled) {
      this.writeOperationsEnabled = writeOperationsEnabled;
    }
  }

  /**
   * The transactional sender ({@code reliablemq.transaction.*}): off unless enabled, because it
   * creates its log table in the application's database.
   */
  public static class Transaction {
    /**
     * Whether a TransactionalSender is created over the application's DataSource (default false).
     */
    private boolean enabled;

    /** The TRANSACTION topics this application publishes, announced at start for check-backs. */
    private java.util.List<String> topics = new java.util.ArrayList<>();

    /** Prefix of the transaction log table (core default {@code rmq}). */
    private String tablePrefix;

    /** Age after which a half message without a log row is rolled back (core default 1 min). */
    private Duration gracePeriod;

    /** How long log rows are kept (core default 1 day). */
    private Duration logRetention;

    /** Outbox mode of the transactional sender. */
    private final Outbox outbox = new Outbox();

    /** Creates the properties at their defaults. */
    public Transaction() {}

    /**
     * Whether the sender is created.
     *
     * @return false by default
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Turns the sender on or off.
     *
     * @param enabled the value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * The TRANSACTION topics.
     *
     * @return the topics
     */
    public java.util.List<String> getTopics() {
      return topics;
    }

    /**
     * Sets the TRANSACTION topics.
     *
     * @param topics the topics
     */
    public void setTopics(java.util.List<String> topics) {
      this.topics = topics;
    }

    /**
     * The log table prefix.
     *
     * @return the value, null for the default
     */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /**
     * Sets the log table prefix.
     *
     * @param tablePrefix the value
     */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    /**
     * The grace period.
     *
     * @return the value, null for the default
     */
    public Duration getGracePeriod() {
      return gracePeriod;
    }

    /**
     * Sets the grace period.
     *
     * @param gracePeriod the value
     */
    public void setGracePeriod(Duration gracePeriod) {
      this.gracePeriod = gracePeriod;
    }

    /**
     * The log retention.
     *
     * @return the value, null for the default
     */
    public Duration getLogRetention() {
      return logRetention;
    }

    /**
     * Sets the log retention.
     *
     * @param logRetention the value
     */
    public void setLogRetention(Duration logRetention) {
      this.logRetention = logRetention;
    }

    /**
     * Outbox settings.
     *
     * @return the settings
     */
    public Outbox getOutbox() {
      return outbox;
    }
  }
}
