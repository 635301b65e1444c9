package io.reliablemq.consumer.internal;

import io.github.resilience4j.core.IntervalFunction;
import io.reliablemq.ReliableMQException;
import io.reliablemq.consumer.AsyncMessageHandler;
import io.reliablemq.consumer.ConsumerState;
import io.reliablemq.consumer.ConsumerStats;
import io.reliablemq.consumer.MessageHandler;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.consumer.StoreUnavailablePolicy;
import io.reliablemq.consumer.TransactionalMessageHandler;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.internal.BoundedClose;
import io.reliablemq.internal.ClientSupport;
import io.reliablemq.internal.EndpointWatcher;
import io.reliablemq.producer.ExceptionClassifier;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.MessageListener;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReliableConsumer} over the client's {@link PushConsumer}. The client calls the listener on
 * its consumption threads and acknowledges on SUCCESS only after the listener returned, so the ack
 * always follows the handler. Broker invisibility needs no help from here: the push consumer
 * receives with {@code auto_renew} and the proxy renews it (see {@link
 * io.reliablemq.consumer.DedupConfig}); the client's {@code changeInvisibleDuration} is reachable
 * only through the simple consumer in 5.2.0.
 */
public final class ReliableConsumerImpl implements ReliableConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(ReliableConsumerImpl.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  // While the broker answers, the endpoints are probed this often to notice an outage; after one,
  // at the configured probe interval until the client is replaced.
  private static final long IDLE_PROBE_NANOS = TimeUnit.SECONDS.toNanos(1);
  // The least time between two client builds the watcher starts (see the producer's).
  private static final long MIN_REBUILD_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * Threads the push consumer gets beyond the handlers' {@code consumptionThreadCount}, when FIFO
   * messages may wait in the order guard. A waiting message holds a consumption thread (the
   * client's listener is synchronous), and its predecessor, on another queue, needs a free one:
   * with every thread held by a waiter the predecessors never run, and the guard's wait ends only
   * at its maximum, out of order (ClusterFaultIT, broker-group-kill: four FIFO groups moved queue
   * together when the killed group came back, four waiters held the four threads for 60 s). A FIFO
   * queue is consumed one message at a time, so waiters are at most one per FIFO queue this
   * instance consumes; the handlers themselves stay limited to {@code consumptionThreadCount} by a
   * semaphore taken after the wait.
   */
  static final int ORDER_GUARD_HEADROOM = 32;

  private final ReliableConsumerConfig config;
  // Null without order guard: the client's threads are then the handlers' limit.
  private final java.util.concurrent.Semaphore handlerPermits;
  private final DedupGuard guard;
  private final ScheduledExecutorService scheduler;
  private final LongAdder deliveries = new LongAdder();
  private final ClientFactory factory;
  private final MessageListener listener;
  private final IntervalFunction connectBackoff;
  // Guards consumer, state changes, the pending connect attempt and the scheduling of new ones, so
  // that close() and a background attempt agree on who closes a client built at the last moment.
  private final Object lifecycle = new Object();
  private PushConsumer consumer;
  private ScheduledFuture<?> connectTask;
  private int connectAttempts;
  private volatile ConsumerState state = ConsumerState.WAITING;
  private final EndpointWatcher watcher;
  private final AtomicLong replacements = new AtomicLong();
  // Written by the watcher thread only; volatile for endpointDown().
  private volatile boolean sawDown;
  private long nextIdleProbe;
  private long lastRebuild;
  private boolean rebuiltOnce;

  /** What the listener runs for a message, given the guard's key and expiry. */
  @FunctionalInterface
  private interface Handling {
    void run(ReceivedMessage m, DedupKey key, Instant expiresAt, String owner) throws Exception;
  }

  /** Builds and starts the client's push consumer; a seam for unit tests with a fake client. */
  @FunctionalInterface
  interface ClientFactory {
    PushConsumer start(ReliableConsumerConfig config, MessageListener listener)
        throws ClientException;
  }

  private ReliableConsumerImpl(ReliableConsumerConfig config, boolean marksInWork, Handling h) {
    this(config, marksInWork, h, ReliableConsumerImpl::buildClient);
  }

  private ReliableConsumerImpl(
      ReliableConsumerConfig config, boolean marksInWork, Handling h, ClientFactory factory) {
    this.config = config;
    this.factory = factory;
    this.listener = view -> onMessage(view, h);
    this.connectBackoff =
        IntervalFunction.ofExponentialRandomBackoff(
            config.connectInitialBackoff(), 2.0, 0.5, config.connectMaxBackoff());
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "reliablemq-consumer-lease-" + config.consumerGroup());
              t.setDaemon(true);
              return t;
            });
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
    this.watcher =
        new EndpointWatcher(
            "consumer-" + config.consumerGroup(),
            config.client().endpoints(),
            config.client().reconnectProbeInterval(),
            new EndpointWatcher.Policy() {
              @Override
              public boolean shouldProbe() {
                return shouldProbeEndpoints();
              }

              @Override
              public void onProbe(boolean reachable) {
                onEndpointProbe(reachable);
              }
            });
    this.handlerPermits =
        orderGuarded(config)
            ? new java.util.concurrent.Semaphore(config.consumptionThreadCount())
            : null;
    String owner = "consumer-" + UUID.randomUUID();
    this.guard =
        new DedupGuard(
            config.dedup(),
            config.consumerGroup(),
            owner,
            marksInWork,
            scheduler,
            config.meterRegistry().orElse(null),
            topic -> "*".equals(config.subscriptions().getOrDefault(topic, "*").trim()));
    PushConsumer started;
    try {
      started = factory.start(config, listener);
    } catch (ClientException | RuntimeException e) {
      if (!ExceptionClassifier.isRetryable(e)) {
        scheduler.shutdownNow();
        throw new ReliableMQException(
            "Cannot start the RocketMQ push consumer for group " + config.consumerGroup(), e);
      }
      // The broker is unreachable, not the request wrong: an application restarted during an
      // outage must still start, so wait for the broker in the background instead of failing.
      LOG.warn(
          "Reliable consumer for group {} is waiting for the broker ({}); retrying in the"
              + " background",
          config.consumerGroup(),
          rootCause(e));
      synchronized (lifecycle) {
        scheduleConnect();
      }
      watcher.start();
      return;
    }
    synchronized (lifecycle) {
      running(started);
    }
    watcher.start();
  }

  private boolean shouldProbeEndpoints() {
    ConsumerState s = state;
    if (s == ConsumerState.CLOSED) {
      return false;
    }
    long now = System.nanoTime();
    if (s == ConsumerState.WAITING || sawDown || now - nextIdleProbe >= 0) {
      nextIdleProbe = now + IDLE_PROBE_NANOS;
      return true;
    }
    return false;
  }

  /**
   * One probe (watcher thread). A consumer waiting for its first connect tries now that the proxy
   * listens instead of at the end of its backoff; a running one whose proxy was seen down gets a
   * new client once the proxy listens again: the 5.2.0 client would otherwise keep failing its
   * receives fast until its gRPC reconnect backoff ends (up to 120 s) and deliver nothing
   * meanwhile.
   */
  private void onEndpointProbe(boolean reachable) {
    if (!reachable) {
      sawDown = true;
      return;
    }
    long now = System.nanoTime();
    if (rebuiltOnce && now - lastRebuild < MIN_REBUILD_NANOS) {
      return;
    }
    if (state == ConsumerState.WAITING) {
      synchronized (lifecycle) {
        if (state == ConsumerState.WAITING && connectTask != null && connectTask.cancel(false)) {
          rebuiltOnce = true;
          lastRebuild = now;
          connectTask = scheduler.schedule(this::attemptConnect, 0, TimeUnit.MILLISECONDS);
        }
      }
      sawDown = false;
      return;
    }
    if (sawDown && state == ConsumerState.RUNNING) {
      rebuiltOnce = true;
      lastRebuild = now;
      if (replaceClient()) {
        sawDown = false;
      }
    }
  }

  /**
   * Starts a new push consumer on the same listener, swaps it in and closes the old one in the
   * background. Messages the old one delivered but did not acknowledge come again after their
   * invisible duration; dedup drops what was already handled.
   */
  private boolean replaceClient() {
    PushConsumer fresh;
    try {
      fresh = factory.start(config, listener);
    } catch (ClientException | RuntimeException e) {
      LOG.debug(
          "Consumer group {}: replacing the client failed, keeping the old one: {}",
          config.consumerGroup(),
          rootCause(e));
      return false;
    }
    PushConsumer old;
    synchronized (lifecycle) {
      if (state != ConsumerState.RUNNING) {
        old = fresh;
      } else {
        old = consumer;
        consumer = fresh;
        replacements.incrementAndGet();
      }
    }
    if (old != fresh) {
      LOG.info(
          "Consumer group {}: the proxy answers again, replaced the push consumer instead of"
              + " waiting out its reconnect backoff",
          config.consumerGroup());
    }
    if (old != null) {
      BoundedClose.closeDetached(old, "push-consumer", CLOSE_TIMEOUT);
    }
    return old != fresh;
  }

  /** Whether the watcher saw the proxy down and has not replaced the client since (tests). */
  boolean endpointDown() {
    return sawDown;
  }

  /**
   * How often the client was replaced after the proxy came back.
   *
   * @return the count
   */
  public long clientReplacements() {
    return replacements.get();
  }

  /** Keeps the started client and starts the dedup purge. Holds {@link #lifecycle}. */
  private void running(PushConsumer started) {
    this.consumer = started;
    this.state = ConsumerState.RUNNING;
    // On the guard's own thread: a long purge must never hold a lease renewal back.
    guard.startPurging();
    LOG.info(
        "Reliable consumer started: group {}, topics {}, threads {}, owner {}, {}",
        config.consumerGroup(),
        config.subscriptions().keySet(),
        config.consumptionThreadCount(),
        guard.owner(),
        config.dedup());
  }

  /** Schedules the next connect attempt after the backoff. Holds {@link #lifecycle}. */
  private void scheduleConnect() {
    connectAttempts++;
    long delay = connectBackoff.apply(connectAttempts);
    connectTask = scheduler.schedule(this::attemptConnect, delay, TimeUnit.MILLISECONDS);
  }

  /** The innermost cause, which names the reason (the client's outer exceptions do not). */
  private static String rootCause(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 16 && t.getCause() != null && t.getCause() != t; i++) {
      t = t.getCause();
    }
    return t.toString();
  }

  private void attemptConnect() {
    if (state != ConsumerState.WAITING) {
      return;
    }
    PushConsumer started;
    try {
      started = factory.start(config, listener);
    } catch (ClientException | RuntimeException e) {
      synchronized (lifecycle) {
        if (state != ConsumerState.WAITING) {
          return;
        }
        // Keep trying whatever the error: the application has started already, and a topic or
        // permission an operator fixes later heals it too; the error is logged for that operator.
        if (ExceptionClassifier.isRetryable(e)) {
          LOG.debug("Consumer group {} still cannot connect: {}", config.consumerGroup(), e);
        } else {
          LOG.warn(
              "Consumer group {} cannot start the client, retrying: {}",
              config.consumerGroup(),
              rootCause(e));
        }
        scheduleConnect();
      }
      return;
    }
    boolean closedMeanwhile;
    synchronized (lifecycle) {
      closedMeanwhile = state == ConsumerState.CLOSED;
      if (!closedMeanwhile) {
        running(started);
      }
    }
    if (closedMeanwhile) {
      BoundedClose.close(started, "push-consumer", CLOSE_TIMEOUT);
    }
  }

  /**
   * A consumer with a synchronous handler.
   *
   * @param config the configuration
   * @param handler the handler
   * @return the started consumer
   */
  public static ReliableConsumerImpl sync(ReliableConsumerConfig config, MessageHandler handler) {
    return sync(config, handler, ReliableConsumerImpl::buildClient);
  }

  static ReliableConsumerImpl sync(
      ReliableConsumerConfig config, MessageHandler handler, ClientFactory factory) {
    Objects.requireNonNull(handler, "handler");
    return new ReliableConsumerImpl(
        config, false, (m, key, exp, owner) -> handler.handle(m), factory);
  }

  /**
   * A consumer with an asynchronous handler; the consumption thread waits for the stage.
   *
   * @param config the configuration
   * @param handler the handler
   * @return the started consumer
   */
  public static ReliableConsumerImpl async(
      ReliableConsumerConfig config, AsyncMessageHandler handler) {
    Objects.requireNonNull(handler, "handler");
    return new ReliableConsumerImpl(
        config,
        false,
        (m, key, exp, owner) -> {
          try {
            handler.handle(m).toCompletableFuture().get();
          } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
          }
        });
  }

  /**
   * A consumer in the transactional mode.
   *
   * @param config the configuration; dedup enabled, FAIL_CLOSED
   * @param dataSource the business database holding the dedup table
   * @param handler the handler
   * @return the started consumer
   */
  public static ReliableConsumerImpl transactional(
      ReliableConsumerConfig config, DataSource dataSource, TransactionalMessageHandler handler) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(handler, "handler");
    if (!config.dedup().enabled()) {
      throw new IllegalArgumentException("transactional mode requires dedup: set a DedupConfig");
    }
    if (config.dedup().unavailablePolicy() == StoreUnavailablePolicy.FAIL_OPEN) {
      throw new IllegalArgumentException(
          "unavailablePolicy FAIL_OPEN cannot be combined with the transactional mode: the mark"
              + " must commit with the effect");
    }
    DedupStore store = config.dedup().store().orElseThrow();
    return new ReliableConsumerImpl(
        config, true, new TransactionalHandling(dataSource, store, handler));
  }

  private static PushConsumer buildClient(ReliableConsumerConfig config, MessageListener listener)
      throws ClientException {
    Map<String, FilterExpression> subs = new LinkedHashMap<>();
    config
        .subscriptions()
        .forEach(
            (topic, tag) -> subs.put(topic, new FilterExpression(tag, FilterExpressionType.TAG)));
    return ClientServiceProvider.loadService()
        .newPushConsumerBuilder()
        .setClientConfiguration(ClientSupport.clientConfiguration(config.client()))
        .setConsumerGroup(config.consumerGroup())
        .setSubscriptionExpressions(subs)
        .setConsumptionThreadCount(clientThreads(config))
        .setMessageListener(listener)
        .build();
  }

  /** Whether FIFO messages may wait for their predecessor in the order guard. */
  private static boolean orderGuarded(ReliableConsumerConfig config) {
    return config.dedup().store().isPresent() && !config.dedup().orderGuardWait().isZero();
  }

  /**
   * The push consumer's thread count: the handlers', plus {@link #ORDER_GUARD_HEADROOM} for
   * messages waiting in the order guard.
   */
  static int clientThreads(ReliableConsumerConfig config) {
    return config.consumptionThreadCount() + (orderGuarded(config) ? ORDER_GUARD_HEADROOM : 0);
  }

  private ConsumeResult onMessage(MessageView view, Handling h) {
    deliveries.increment();
    try {
      ReceivedMessage m = toReceived(view);
      DedupGuard.Result r =
          guard.process(
              m,
              (key, exp) -> {
                if (handlerPermits == null) {
                  h.run(m, key, exp, guard.owner());
                  return;
                }
                handlerPermits.acquire();
                try {
                  h.run(m, key, exp, guard.owner());
                } finally {
                  handlerPermits.release();
                }
              });
      return r == DedupGuard.Result.FAILURE ? ConsumeResult.FAILURE : ConsumeResult.SUCCESS;
    } catch (RuntimeException e) {
      LOG.warn("Delivery of message {} failed: {}", view.getMessageId(), e.toString());
      return ConsumeResult.FAILURE;
    }
  }

  /**
   * Copies the client's view into the SDK's.
   *
   * @param view the client's message
   * @return the SDK view
   */
  public static ReceivedMessage toReceived(MessageView view) {
    ByteBuffer buffer = view.getBody().duplicate();
    byte[] body = new byte[buffer.remaining()];
    buffer.get(body);
    return ReceivedMessage.builder(view.getTopic(), view.getMessageId().toString())
        .body(body)
        .tag(view.getTag().orElse(null))
        .keys(List.copyOf(view.getKeys()))
        .properties(view.getProperties())
        .deliveryAttempt(Math.max(1, view.getDeliveryAttempt()))
        .messageGroup(view.getMessageGroup().orElse(null))
        .bornAt(Instant.ofEpochMilli(view.getBornTimestamp()))
        .deliveryTime(view.getDeliveryTimestamp().map(Instant::ofEpochMilli).orElse(null))
        .build();
  }

  @Override
  public String consumerGroup() {
    return config.consumerGroup();
  }

  @Override
  public ConsumerStats stats() {
    return guard.stats(deliveries.sum());
  }

  @Override
  public ConsumerState state() {
    return state;
  }

  @Override
  public void close() {
    PushConsumer started;
    synchronized (lifecycle) {
      if (state == ConsumerState.CLOSED) {
        return;
      }
      state = ConsumerState.CLOSED;
      started = consumer;
      if (connectTask != null) {
        connectTask.cancel(false);
      }
    }
    watcher.close();
    // Held FIFO messages give their consumption threads back first: the client waits for them.
    guard.stopWaiting();
    if (started != null) {
      BoundedClose.close(started, "push-consumer", CLOSE_TIMEOUT);
    }
    scheduler.shutdownNow();
    if (started == null) {
      // A connect attempt may be running: wait for it (bounded), so that a client it builds is
      // closed by it before close() returns, not left receiving after it.
      try {
        scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    guard.close();
    LOG.info("Reliable consumer closed: group {}, {}", config.consumerGroup(), stats());
  }

  /** The transactional mode: handler and mark in one transaction on the business database. */
  private static final class TransactionalHandling implements Handling {
    private final DataSource dataSource;
    private final DedupStore store;
    private final TransactionalMessageHandler handler;

    TransactionalHandling(
        DataSource dataSource, DedupStore store, TransactionalMessageHandler handler) {
      this.dataSource = dataSource;
      this.store = store;
      this.handler = handler;
    }

    @Override
    public void run(ReceivedMessage m, DedupKey key, Instant expiresAt, String owner)
        throws Exception {
      try (Connection c = dataSource.getConnection()) {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          handler.handle(m, c);
          store.markConsumed(c, key, owner, expiresAt);
          c.commit();
        } catch (Exception | Error e) {
          rollbackQuietly(c);
          throw e;
        } finally {
          restore(c, autoCommit);
        }
      }
    }

    private static void rollbackQuietly(Connection c) {
      try {
        c.rollback();
      } catch (SQLException e) {
        LOG.warn("Rollback failed: {}", e.toString());
      }
    }

    private static void restore(Connection c, boolean autoCommit) {
      try {
        c.setAutoCommit(autoCommit);
      } catch (SQLException e) {
        LOG.debug("Cannot restore auto-commit: {}", e.toString());
      }
    }
  }
}
