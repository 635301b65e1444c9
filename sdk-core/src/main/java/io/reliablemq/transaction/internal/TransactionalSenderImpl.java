package io.reliablemq.transaction.internal;

import io.reliablemq.InvalidMessageException;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.internal.MessageValidator;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import io.reliablemq.producer.internal.ClientProducerFactory;
import io.reliablemq.producer.internal.ReliableProducerImpl;
import io.reliablemq.transaction.LocalTransaction;
import io.reliablemq.transaction.LocalTransactionException;
import io.reliablemq.transaction.PreparedTransaction;
import io.reliablemq.transaction.TransactionInDoubtException;
import io.reliablemq.transaction.TransactionLogDialect;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionUnavailableException;
import io.reliablemq.transaction.TransactionalSender;
import io.reliablemq.transaction.TransactionalSenderConfig;
import io.reliablemq.transaction.internal.TxMetrics.Outcome;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.producer.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TransactionalSender} over a {@link ReliableProducerImpl}: the half messages go through
 * that producer's client, whose one checker is this sender's {@link SdkTransactionCheck} behind the
 * producer's own answer for ids in the outbox; in outbox mode that producer's replayer delivers the
 * outbox.
 *
 * <p>The log row is inserted at the start of the local transaction, before the business work: a
 * check-back that comes while the work still runs then cannot write its ROLLED_BACK marker (the
 * insert waits on the uncommitted row and ends in a duplicate key, answered from the row, or a lock
 * timeout, answered UNKNOWN), so a slow but live local transaction is never rolled back under it.
 * Only a local transaction that had not even started by the end of the grace period loses the race,
 * and it fails on its first statement.
 */
public final class TransactionalSenderImpl implements TransactionalSender {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionalSenderImpl.class);

  private final TransactionalSenderConfig config;
  private final MessageValidator validator;
  private final JdbcTransactionLog log;
  private final JdbcFallbackStore outbox;
  private final TxMetrics metrics;
  private final SdkTransactionCheck check;
  private final ReliableProducerImpl producer;
  // Whether this sender built the producer (and closes it) or sits on the application's.
  private final boolean ownsProducer;
  // The outbox's replay on a shared producer, when the outbox is not that producer's store.
  private final ReliableProducerImpl.StoreReplay outboxReplay;
  private final ScheduledExecutorService cleaner;
  private volatile boolean closed;

  private TransactionalSenderImpl(
      TransactionalSenderConfig config,
      ClientServiceProvider provider,
      ClientProducerFactory factory,
      ReliableProducerImpl shared) {
    this.config = config;
    this.validator = new MessageValidator(config.limits());
    this.log =
        new JdbcTransactionLog(
            config.dataSource(),
            config.logDialect(),
            config.tablePrefix(),
            config.schemaManagement());
    this.outbox = config.outbox().orElse(null);
    this.metrics = new TxMetrics(config.meterRegistry().orElse(null));
    this.check =
        new SdkTransactionCheck(
            log, outbox, config.checkers(), config.gracePeriod(), config.clock(), metrics);
    if (shared != null) {
      this.producer = shared;
      this.ownsProducer = false;
      shared.attachTransactionCheck(check);
      this.outboxReplay =
          outbox == null || !config.replay().enabled() || shared.replaysStore(outbox)
              ? null
              : shared.replay(outbox, config.replay());
    } else {
      ReliableProducerConfig producerConfig =
          ReliableProducerConfig.custom(config.client())
              .retry(config.retry())
              .limits(config.limits())
              .clock(config.clock())
              .idGenerator(config.idGenerator())
              .fallbackStore(outbox)
              .replay(config.replay())
              .transactionCheck(check)
              .build();
      this.producer =
          factory == null
              ? ReliableProducerImpl.create(producerConfig, config.topics())
              : ReliableProducerImpl.create(producerConfig, provider, factory);
      this.ownsProducer = true;
      this.outboxReplay = null;
    }
    this.cleaner =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "reliablemq-txlog-cleanup");
              t.setDaemon(true);
              return t;
            });
    long every = config.cleanupInterval().toMillis();
    cleaner.scheduleWithFixedDelay(this::purgeQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Creates a sender over the real client.
   *
   * @param config the configuration
   * @return the sender
   */
  public static TransactionalSenderImpl create(TransactionalSenderConfig config) {
    return new TransactionalSenderImpl(Objects.requireNonNull(config, "config"), null, null, null);
  }

  /**
   * Creates a sender on top of the application's producer: its client, retry, circuit, deadline and
   * send path serve the half messages too (the config's client settings and retry are not used),
   * and its client answers this sender's check-backs. The producer is not closed by {@link
   * #close()}; close the sender first.
   *
   * @param config the configuration
   * @param producer a producer made by {@link io.reliablemq.producer.ReliableProducer#create}
   * @return the sender
   * @throws IllegalArgumentException when the producer is not the SDK's implementation
   * @throws IllegalStateException when the producer answers with another check already
   */
  public static TransactionalSenderImpl create(
      TransactionalSenderConfig config, io.reliablemq.producer.ReliableProducer producer) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(producer, "producer");
    if (!(producer instanceof ReliableProducerImpl impl)) {
      throw new IllegalArgumentException(
          "producer must be made by ReliableProducer.create, was " + producer.getClass().getName());
    }
    return new TransactionalSenderImpl(config, null, null, impl);
  }

  /**
   * Creates a sender over a given client factory (tests hand in fakes).
   *
   * @param config the configuration
   * @param provider the client's service provider, for message building
   * @param factory builds the client producer
   * @return the sender
   */
  public static TransactionalSenderImpl create(
      TransactionalSenderConfig config,
      ClientServiceProvider provider,
      ClientProducerFactory factory) {
    return new TransactionalSenderImpl(
        config, Objects.requireNonNull(provider), Objects.requireNonNull(factory), null);
  }

  @Override
  public <T> TransactionResult<T> send(ReliableMessage message, LocalTransaction<T> work) {
    Objects.requireNonNull(work, "localTransaction");
    ReliableMessage m = prepare(message, TransactionCheck.LOG_TYPE);
    String id = m.id().orElseThrow();
    Half half;
    try {
      half = sendHalf(m);
    } catch (TransactionUnavailableException e) {
      if (outbox == null) {
        metrics.outcome(Outcome.FAILED);
        throw e;
      }
      return viaOutbox(m, work, e);
    } catch (RuntimeException e) {
      metrics.outcome(Outcome.FAILED);
      throw e;
    }
    WorkResult<T> returned = new WorkResult<>();
    T value;
    try {
      value =
          config
              .localTransactionRunner()
              .inTransaction(
                  c -> {
                    returned.reset();
                    insertLogRow(c, m);
                    return returned.set(work.execute(c));
                  });
    } catch (Throwable e) {
      if (!returned.done || !committedDespite(m, e)) {
        if (returned.done) {
          // The work returned, so the throw came from the commit or after it: the database may
          // have committed. Rolling back could discard the message of a committed transaction;
          // the check-back answers from the log row instead.
          metrics.outcome(Outcome.IN_DOUBT);
          throw inDoubt(m, half.messageId, e);
        }
        rollbackQuietly(half.tx, id);
        metrics.outcome(Outcome.ROLLED_BACK);
        throw rethrow(m, e);
      }
      value = returned.value;
    }
    boolean confirmed = commitQuietly(half.tx, id);
    metrics.outcome(Outcome.COMMITTED);
    return new TransactionResult<>(
        confirmed ? TransactionStatus.COMMITTED : TransactionStatus.COMMIT_UNCONFIRMED,
        m.topic(),
        id,
        half.messageId,
        value);
  }

  private void insertLogRow(java.sql.Connection c, ReliableMessage m) throws SQLException {
    try {
      log.insertCommitted(
          c, m.id().orElseThrow(), m.topic(), TransactionCheck.LOG_TYPE, config.clock().instant());
    } catch (SQLException e) {
      if (JdbcTransactionLog.isDuplicateKey(e)) {
        throw new LocalTransactionException(
            m.topic(),
            m.id().orElseThrow(),
            true,
            "Local transaction refused: the broker's check-back already rolled the message back"
                + " (ROLLED_BACK marker in the transaction log, grace period "
                + config.gracePeriod()
                + " exceeded)",
            e);
      }
      throw e;
    }
  }

  /** The outbox path: log row, business work and the message row commit or vanish together. */
  private <T> TransactionResult<T> viaOutbox(
      ReliableMessage m, LocalTransaction<T> work, TransactionUnavailableException why) {
    String id = m.id().orElseThrow();
    StoredEntry[] appended = new StoredEntry[1];
    WorkResult<T> returned = new WorkResult<>();
    T value;
    try {
      value =
          config
              .localTransactionRunner()
              .inTransaction(
                  c -> {
                    appended[0] = null;
                    returned.reset();
                    insertLogRow(c, m);
                    T v = work.execute(c);
                    appended[0] = outbox.appendInTransaction(c, m, true);
                    return returned.set(v);
                  });
    } catch (Throwable e) {
      if (returned.done && committedDespite(m, e)) {
        return stored(m, why, returned.value);
      }
      if (returned.done) {
        // Maybe committed: the outbox row then exists and is replayed, so its reservation stays.
        metrics.outcome(Outcome.IN_DOUBT);
        throw inDoubt(m, null, e);
      }
      if (appended[0] != null) {
        // Rolled back after the store reserved capacity for the row: give it back.
        outbox.abandonInTransaction(appended[0]);
      }
      metrics.outcome(Outcome.ROLLED_BACK);
      throw rethrow(m, e);
    }
    return stored(m, why, value);
  }

  private <T> TransactionResult<T> stored(
      ReliableMessage m, TransactionUnavailableException why, T value) {
    String id = m.id().orElseThrow();
    LOG.info(
        "Transactional message {} of topic {} stored in the outbox ({} attempts failed)",
        id,
        m.topic(),
        why.attempts());
    if (outboxReplay != null) {
      outboxReplay.replayNow();
    } else {
      producer.fallback().ifPresent(FallbackOperations::replayNow);
    }
    metrics.outcome(Outcome.COMMITTED);
    return new TransactionResult<>(TransactionStatus.STORED, m.topic(), id, null, value);
  }

  /**
   * Whether the local transaction committed although its runner threw after the work returned
   * (commit or close failed): its log row, visible from another connection, proves the commit. Any
   * other answer, a failed read included, leaves the outcome unknown.
   */
  private boolean committedDespite(ReliableMessage m, Throwable failure) {
    String id = m.id().orElseThrow();
    try {
      if (log.find(id).filter(TransactionLogDialect.COMMITTED::equals).isPresent()) {
        LOG.warn(
            "Local transaction of message {} committed although its runner threw ({}); the"
                + " message is committed",
            id,
            failure.getClass().getSimpleName());
        return true;
      }
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    return false;
  }

  private static TransactionInDoubtException inDoubt(
      ReliableMessage m, String messageId, Throwable e) {
    LOG.warn(
        "Local commit of message {} failed with an unknown outcome ({}); the {} decides",
        m.id().orElseThrow(),
        e.getClass().getSimpleName(),
        messageId == null ? "outbox row" : "broker's check-back");
    return new TransactionInDoubtException(m.topic(), m.id().orElseThrow(), messageId, e);
  }

  @Override
  public PreparedTransaction prepare(ReliableMessage message) {
    ReliableMessage m = prepare(message, TransactionCheck.LOG_TYPE);
    try {
      return new Prepared(m, sendHalf(m));
    } catch (RuntimeException e) {
      metrics.outcome(Outcome.FAILED);
      throw e;
    }
  }

  @Override
  public TransactionResult<Void> send(
      String businessType, ReliableMessage message, Supplier<TransactionDecision> branch) {
    TransactionalSenderConfig.checkBusinessType(businessType);
    Objects.requireNonNull(branch, "branch");
    if (!config.checkers().containsKey(businessType)) {
      throw new IllegalArgumentException(
          "businessType '"
              + businessType
              + "' has no checker registered: its check-backs would"
              + " stay UNKNOWN");
    }
    ReliableMessage m = prepare(message, businessType);
    String id = m.id().orElseThrow();
    Half half;
    try {
      half = sendHalf(m);
    } catch (RuntimeException e) {
      metrics.outcome(Outcome.FAILED);
      throw e;
    }
    TransactionDecision d;
    try {
      d = branch.get();
    } catch (RuntimeException | Error e) {
      rollbackQuietly(half.tx, id);
      metrics.outcome(Outcome.ROLLED_BACK);
      throw e;
    }
    TransactionStatus status;
    if (d == TransactionDecision.COMMIT) {
      status =
          commitQuietly(half.tx, id)
              ? TransactionStatus.COMMITTED
              : TransactionStatus.COMMIT_UNCONFIRMED;
      metrics.outcome(Outcome.COMMITTED);
    } else if (d == TransactionDecision.ROLLBACK) {
      rollbackQuietly(half.tx, id);
      status = TransactionStatus.ROLLED_BACK;
      metrics.outcome(Outcome.ROLLED_BACK);
    } else {
      status = TransactionStatus.UNKNOWN;
    }
    return new TransactionResult<>(status, m.topic(), id, half.messageId, null);
  }

  /** Validates before any I/O and marks the message with its business type. */
  private ReliableMessage prepare(ReliableMessage message, String type) {
    if (closed) {
      throw new IllegalStateException("TransactionalSender is closed");
    }
    ReliableMessage m =
        validator.validate(message, config.idGenerator().nextId(), config.clock().instant());
    if (m.messageGroup().isPresent()) {
      throw new InvalidMessageException(
          "messageGroup", "absent on a transactional message", "was set");
    }
    if (m.deliveryTime().isPresent()) {
      throw new InvalidMessageException(
          "deliveryTime", "absent on a transactional message", "a delivery time or delay was set");
    }
    // Added after validation: the reliablemq_ prefix is reserved to the SDK.
    return m.toBuilder().property(TransactionCheck.TYPE_PROPERTY, type).build();
  }

  /**
   * Begins and sends the half message through the producer's one attempt machine (retry, circuit,
   * total deadline).
   */
  private Half sendHalf(ReliableMessage m) {
    if (closed) {
      throw new IllegalStateException("TransactionalSender is closed");
    }
    ReliableProducerImpl.HalfMessage half;
    try {
      half = producer.sendHalf(m);
    } catch (SendFailedException e) {
      if (e.kind() == ErrorKind.NON_RETRYABLE) {
        throw e;
      }
      throw new TransactionUnavailableException(
          m.topic(), m.id().orElseThrow(), e.attempts(), e.elapsed(), e.reason(), e.getCause());
    }
    return new Half(half.transaction(), half.messageId());
  }

  private boolean commitQuietly(Transaction tx, String id) {
    try {
      tx.commit();
      return true;
    } catch (ClientException | RuntimeException e) {
      // The local transaction is committed and the log row says so: the check-back commits.
      LOG.warn(
          "Commit of transactional message {} not acknowledged ({}); the check-back will commit it",
          id,
          e.getClass().getSimpleName());
      return false;
    }
  }

  private void rollbackQuietly(Transaction tx, String id) {
    try {
      tx.rollback();
    } catch (ClientException | RuntimeException e) {
      // No log row: the check-back rolls it back after the grace period.
      LOG.warn(
          "Rollback of transactional message {} not acknowledged ({}); the check-back will roll"
              + " it back",
          id,
          e.getClass().getSimpleName());
    }
  }

  private static RuntimeException rethrow(ReliableMessage m, Throwable e) {
    if (e instanceof Error) {
      throw (Error) e;
    }
    if (e instanceof RuntimeException) {
      return (RuntimeException) e;
    }
    return new LocalTransactionException(
        m.topic(),
        m.id().orElseThrow(),
        false,
        "Local transaction failed (" + e.getClass().getSimpleName() + "); message rolled back",
        e);
  }

  /**
   * The producer whose client and attempt machine this sender uses.
   *
   * @return the application's producer, or the one this sender built
   */
  public ReliableProducerImpl producer() {
    return producer;
  }

  @Override
  public TransactionCheck transactionCheck() {
    return check;
  }

  @Override
  public int purgeExpiredLog() {
    Instant before = config.clock().instant().minus(config.logRetention());
    try {
      return log.purgeBefore(before);
    } catch (SQLException e) {
      throw new io.reliablemq.ReliableMQException(
          "Cannot purge transaction log " + log.table() + ": " + e.getMessage(), e);
    }
  }

  private void purgeQuietly() {
    try {
      int n = purgeExpiredLog();
      if (n > 0) {
        LOG.debug("Purged {} expired rows of transaction log {}", n, log.table());
      }
    } catch (RuntimeException e) {
      LOG.warn("Transaction log cleanup failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cleaner.shutdownNow();
    if (ownsProducer) {
      producer.close();
      return;
    }
    if (outboxReplay != null) {
      outboxReplay.close();
    }
    producer.detachTransactionCheck(check);
  }

  /** The two-phase form: the caller's transaction writes the row, then decides the message. */
  private final class Prepared implements PreparedTransaction {
    private final ReliableMessage message;
    private final Half half;
    private boolean logWritten;
    private boolean decided;

    Prepared(ReliableMessage message, Half half) {
      this.message = message;
      this.half = half;
    }

    @Override
    public String topic() {
      return message.topic();
    }

    @Override
    public String reliableId() {
      return message.id().orElseThrow();
    }

    @Override
    public String messageId() {
      return half.messageId;
    }

    @Override
    public void writeLog(java.sql.Connection connection) throws SQLException {
      Objects.requireNonNull(connection, "connection");
      if (logWritten || decided) {
        throw new IllegalStateException(
            "transaction log row of " + reliableId() + " written already or message decided");
      }
      insertLogRow(connection, message);
      logWritten = true;
    }

    @Override
    public TransactionStatus commit() {
      if (!logWritten) {
        throw new IllegalStateException(
            "commit of "
                + reliableId()
                + " without its transaction log row: write it in the local transaction first");
      }
      decide();
      boolean confirmed = commitQuietly(half.tx, reliableId());
      metrics.outcome(Outcome.COMMITTED);
      return confirmed ? TransactionStatus.COMMITTED : TransactionStatus.COMMIT_UNCONFIRMED;
    }

    @Override
    public void rollback() {
      decide();
      rollbackQuietly(half.tx, reliableId());
      metrics.outcome(Outcome.ROLLED_BACK);
    }

    private void decide() {
      if (decided) {
        throw new IllegalStateException("message " + reliableId() + " is decided already");
      }
      decided = true;
    }
  }

  /** What the business work returned, once it returned (the runner may still throw after it). */
  private static final class WorkResult<T> {
    volatile boolean done;
    volatile T value;

    void reset() {
      done = false;
      value = null;
    }

    T set(T v) {
      value = v;
      done = true;
      return v;
    }
  }

  /** A half message sent, waiting for its commit or rollback. */
  private static final class Half {
    final Transaction tx;
    final String messageId;

    Half(Transaction tx, String messageId) {
      this.tx = tx;
      this.messageId = messageId;
    }
  }
}
