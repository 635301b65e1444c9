package io.reliablemq.producer.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.CapacityReservation;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.EntrySummary;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.internal.BoundedClose;
import io.reliablemq.internal.ClientSupport;
import io.reliablemq.internal.EndpointWatcher;
import io.reliablemq.internal.MessageValidator;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CheckRequest;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ExceptionClassifier;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.ReliableProducerListener;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.ProducerBuilder;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.apis.producer.Transaction;
import org.apache.rocketmq.client.apis.producer.TransactionResolution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReliableProducer} over the RocketMQ 5 client.
 *
 * <p>The client producer is built with no topics, because {@code Producer.build()} with topics
 * fails when the proxy is unreachable, and with its internal attempts set to 1 so that this class
 * owns every retry (the client would otherwise retry immediately, with a new request timeout each
 * time and no total deadline). If even the topic-less build fails, the next attempt builds it.
 *
 * <p>One attempt machine serves both {@link #send} and {@link #sendAsync}: it ends SENT, REJECTED
 * (non-retryable: thrown, never stored, it would fail again on replay) or UNREACHABLE (retries
 * exhausted, deadline reached or circuit open: stored when a fallback store is configured). A
 * synchronous send appends to the store on the caller's thread, so that concurrent callers share
 * the store's group commits.
 *
 * <p>A message with a message group is stamped on resolve with its group's last accepted id, and
 * remembered when it ends SENT or STORED ({@link GroupChain}, the producer half of the order
 * guard).
 */
public final class ReliableProducerImpl implements ReliableProducer {
  private static final Logger log = LoggerFactory.getLogger(ReliableProducerImpl.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  // The least time between two replacements of the client: a proxy that listens but does not serve
  // yet costs one new client a second, not one a probe; doubled after each replacement that did not
  // help (a proxy up in front of a broker that is not), up to the cap, and reset by a success.
  private static final long MIN_REPLACE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_REPLACE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final ReliableProducerConfig config;
  private final ClientServiceProvider provider;
  private final ClientProducerFactory factory;
  private final MessageValidator validator;
  private final Retry retry;
  private final CircuitBreaker circuit;
  private final FallbackStore store;
  private final Replayer replayer;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService storeExecutor;
  // The store executor, or the calling thread once it is shut down: an append is never rejected.
  private final Executor storeTasks = this::runStoreTask;
  // Every accepted send until it ended SENT, STORED or failed; close() waits for it to empty.
  private final Set<Job> inFlight = ConcurrentHashMap.newKeySet();
  private final Object drained = new Object();
  private final Object lock = new Object();
  private final TransactionDispatch dispatch;
  private final List<ReliableProducerListener> listeners;
  // Topics a send or replay succeeded for in this process: their "topic not found" is transient.
  private final Set<String> servedTopics = ConcurrentHashMap.newKeySet();
  // The order guard's memory of each message group's last accepted message.
  private final GroupChain chain;
  private volatile Producer producer;
  private volatile boolean closed;
  // Reconnect (see onProbe): a count of signs that the client is cut off (circuit opened, a replay
  // failed on the transport), the count the last replacement answered, and when it happened.
  private final EndpointWatcher watcher;
  private final AtomicLong troubles = new AtomicLong();
  private final AtomicLong replacements = new AtomicLong();
  private long troublesAnswered;
  private long lastReplaceAttempt;
  private boolean replacedOnce;
  private volatile boolean sawDown;
  // Replacements since the broker last took a send (replay ack or circuit closed).
  private volatile int replaceStreak;

  ReliableProducerImpl(
      ReliableProducerConfig config,
      ClientServiceProvider provider,
      ClientProducerFactory factory) {
    this(config, provider, factory, new TransactionDispatch(config));
  }

  private ReliableProducerImpl(
      ReliableProducerConfig config,
      ClientServiceProvider provider,
      ClientProducerFactory factory,
      TransactionDispatch dispatch) {
    this.dispatch = dispatch;
    this.config = config;
    this.listeners = config.listeners();
    this.provider = provider;
    this.factory = factory;
    this.validator = new MessageValidator(config.limits());
    this.chain = new GroupChain(validator);
    this.retry = Retry.of("reliablemq-send", retryConfig(config.retry()));
    this.circuit =
        config.circuit().enabled()
            ? CircuitBreaker.of("reliablemq-broker", circuitConfig(config.circuit()))
            : null;
    this.store = config.fallbackStore().orElse(null);
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("reliablemq-send-scheduler"));
    this.storeExecutor =
        new ThreadPoolExecutor(
            16,
            16,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("reliablemq-store-append"));
    ((ThreadPoolExecutor) storeExecutor).allowCoreThreadTimeOut(true);
    this.watcher =
        new EndpointWatcher(
            "producer",
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
    try {
      this.producer = factory.create();
    } catch (ClientException | RuntimeException e) {
      // An application must be able to start during an MQ outage: build again on first send.
      log.warn(
          "RocketMQ producer could not start yet ({}); will retry on first send",
          e.getClass().getSimpleName());
    }
    if (store != null && config.replay().enabled()) {
      String owner = Replayer.ownerId("replayer-", config.replay());
      this.replayer =
          new Replayer(
              store,
              config.replay(),
              this::replaySend,
              owner,
              this::classifyFor,
              this::onReplaySucceeded);
      this.replayer.start();
    } else {
      this.replayer = null;
    }
    if (circuit != null) {
      circuit
          .getEventPublisher()
          .onStateTransition(
              e -> {
                CircuitBreaker.State to = e.getStateTransition().getToState();
                if (to == CircuitBreaker.State.OPEN) {
                  // Only a look at the endpoints: an open circuit is no sign of a cut-off client
                  // (one broker group down behind a live proxy opens it too), and replacing a
                  // client that the proxy answers would only cancel the sends in flight on it.
                  watcher.poke();
                } else if (to == CircuitBreaker.State.CLOSED) {
                  replaceStreak = 0;
                }
                CircuitState fromState = toCircuitState(e.getStateTransition().getFromState());
                CircuitState toState = toCircuitState(to);
                if (fromState != toState) {
                  tell(l -> l.onCircuitTransition(fromState, toState));
                }
              });
    }
    watcher.start();
  }

  // ------------------------------------------------------------------ reconnect and circuit hooks

  /**
   * A replayed entry was acknowledged: the broker takes sends, so an OPEN or HALF_OPEN circuit is
   * closed at once. Without this an application that sends nothing after an outage keeps its
   * circuit OPEN (and its health DEGRADED) forever, since only a send moves the circuit.
   */
  void onReplaySucceeded() {
    if (replaceStreak != 0) {
      replaceStreak = 0;
    }
    if (circuit == null) {
      return;
    }
    CircuitBreaker.State s = circuit.getState();
    if (s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.HALF_OPEN) {
      try {
        circuit.transitionToClosedState();
      } catch (RuntimeException raced) {
        // Another thread moved it meanwhile; its transition stands.
      }
    }
  }

  /** A sign that the client is cut off: the watcher looks at the endpoints soon. */
  private void onClientTrouble() {
    troubles.incrementAndGet();
    watcher.poke();
  }

  private boolean circuitOpen() {
    return circuit != null && circuit.getState() == CircuitBreaker.State.OPEN;
  }

  private boolean shouldProbeEndpoints() {
    return !closed
        && (circuitOpen()
            || (replayer != null && replayer.backingOff())
            || troubles.get() > troublesAnswered
            || sawDown);
  }

  /**
   * One probe of the endpoints (watcher thread). Once the proxy accepts connections again while the
   * client is in trouble, the client is replaced: the old one would keep failing fast until its
   * gRPC reconnect backoff ends. After a replacement, and while the proxy listens but the producer
   * waits on its own timers (a replay backoff, an open circuit), the replayer leaves its backoff
   * and the circuit moves to HALF_OPEN, so the next sends probe the broker through the current
   * client, still under the replay rate limit and the circuit's permits. Replacements and wake-ups
   * that do not help back off (1 s, 1 s, 2 s, 4 s, then 5 s) until the broker takes a send.
   */
  private void onEndpointProbe(boolean reachable) {
    if (!reachable) {
      sawDown = true;
      return;
    }
    long seen = troubles.get();
    // The proxy was seen not listening and listens again: a real sign that it came back. A hung
    // proxy (SIGSTOP, a stalled host) keeps accepting connections and never shows this.
    boolean cameBack = sawDown;
    boolean trouble = sawDown || seen > troublesAnswered;
    // Waiting on the producer's own timers while the proxy listens: a replay backoff (up to 30 s
    // by default) or an open circuit that no send will probe.
    boolean stalled = (replayer != null && replayer.backingOff()) || circuitOpen();
    if (!trouble && !stalled) {
      return;
    }
    long now = System.nanoTime();
    long interval =
        Math.min(
            MAX_REPLACE_INTERVAL_NANOS,
            MIN_REPLACE_INTERVAL_NANOS << Math.min(Math.max(replaceStreak - 1, 0), 3));
    if (replacedOnce && now - lastReplaceAttempt < interval) {
      return;
    }
    lastReplaceAttempt = now;
    replacedOnce = true;
    // Reset by the next success: fruitless replacements and wake-ups back off.
    replaceStreak = replaceStreak + 1;
    if (trouble) {
      if (!replaceClient()) {
        return;
      }
      troublesAnswered = seen;
      sawDown = false;
    }
    if (replayer != null) {
      replayer.replayNow();
    }
    if (cameBack && circuitOpen()) {
      // Only then may the watcher cut the circuit's open wait short; a circuit opened on a hung
      // broker waits out waitInOpenState, as configured.
      try {
        circuit.transitionToHalfOpenState();
      } catch (RuntimeException raced) {
        // Moved by a send meanwhile.
      }
    }
  }

  /**
   * Builds a new client, swaps it in and closes the old one in the background; sends in flight on
   * the old one fail and are retried (or stored) as any failed attempt.
   *
   * @return false when the new client could not be built (the old one stays)
   */
  private boolean replaceClient() {
    Producer fresh;
    try {
      fresh = factory.create();
    } catch (ClientException | RuntimeException e) {
      log.debug("Replacing the RocketMQ producer failed, keeping the old one: {}", e.toString());
      return false;
    }
    Producer old;
    synchronized (lock) {
      if (closed) {
        old = fresh;
      } else {
        old = producer;
        producer = fresh;
        replacements.incrementAndGet();
      }
    }
    if (old != fresh) {
      log.info(
          "The proxy at {} answers again: replaced the RocketMQ producer instead of waiting out"
              + " its reconnect backoff",
          config.client().endpoints());
    }
    if (old != null) {
      BoundedClose.closeDetached(old, "producer", CLOSE_TIMEOUT);
    }
    return old != fresh;
  }

  /**
   * Whether the watcher has seen the proxy not listening since the last replacement: what lets it
   * cut an open circuit's wait short once the proxy listens again.
   *
   * @return true after a probe found no endpoint listening
   */
  boolean sawProxyDown() {
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

  /**
   * Creates a producer over the real client.
   *
   * @param config the configuration
   * @return the producer
   */
  public static ReliableProducerImpl create(ReliableProducerConfig config) {
    return create(config, List.of());
  }

  /**
   * Creates a producer over the real client that announces topics at start, so that check-backs for
   * half messages a previous instance left behind reach it before it sends anything. With topics
   * the client's build fails while the proxy is unreachable; the producer then builds it on first
   * use, as usual.
   *
   * @param config the configuration
   * @param topics topics to announce, may be empty
   * @return the producer
   */
  public static ReliableProducerImpl create(
      ReliableProducerConfig config, Collection<String> topics) {
    ClientServiceProvider provider = ClientServiceProvider.loadService();
    TransactionDispatch dispatch = new TransactionDispatch(config);
    String[] announced = topics.toArray(new String[0]);
    return new ReliableProducerImpl(
        config,
        provider,
        () -> {
          ProducerBuilder b =
              provider
                  .newProducerBuilder()
                  .setClientConfiguration(ClientSupport.clientConfiguration(config.client()))
                  .setMaxAttempts(1)
                  .setTransactionChecker(dispatch::check);
          if (announced.length > 0) {
            b.setTopics(announced);
          }
          return b.build();
        },
        dispatch);
  }

  /**
   * The one checker of this producer's client: the configured check, or the check of the
   * transactional sender attached to this producer, so that plain and transactional sends share one
   * client.
   */
  static final class TransactionDispatch {
    private final FallbackStore store;
    private final TransactionCheck configured;
    private volatile TransactionCheck attached;

    TransactionDispatch(ReliableProducerConfig config) {
      this.store = config.fallbackStore().orElse(null);
      this.configured = config.transactionCheck().orElse(null);
    }

    TransactionResolution check(MessageView view) {
      TransactionCheck a = attached;
      return checkTransaction(store, a != null ? a : configured, view);
    }

    synchronized void attach(TransactionCheck check) {
      TransactionCheck current = attached != null ? attached : configured;
      if (current != null && current != check) {
        throw new IllegalStateException(
            "this ReliableProducer answers check-backs with another transaction check already;"
                + " create one TransactionalSender per producer, and do not also configure"
                + " ReliableProducerConfig.transactionCheck");
      }
      attached = check;
    }

    synchronized void detach(TransactionCheck check) {
      if (attached == check) {
        attached = null;
      }
    }
  }

  /**
   * The SDK's view of a check-back.
   *
   * @param view the half message the broker asks about
   * @return the request
   */
  static CheckRequest checkRequest(MessageView view) {
    return new CheckRequest(
        view.getTopic(),
        view.getProperties().get(ReliableMessage.ID_PROPERTY),
        view.getProperties().get(TransactionCheck.TYPE_PROPERTY),
        String.valueOf(view.getMessageId()),
        Instant.ofEpochMilli(view.getBornTimestamp()),
        view.getProperties());
  }

  /**
   * The one answer of this producer's client to a check-back: COMMIT for ids still in the fallback
   * store (replays), else the configured check, else UNKNOWN. A failing check is UNKNOWN: the
   * broker asks again.
   */
  static TransactionResolution checkTransaction(
      FallbackStore store, TransactionCheck check, MessageView view) {
    if (checkReplayedTransaction(store, view) == TransactionResolution.COMMIT) {
      if (check != null) {
        check.onCommittedFromFallbackStore(checkRequest(view));
      }
      return TransactionResolution.COMMIT;
    }
    if (check == null) {
      return TransactionResolution.UNKNOWN;
    }
    try {
      TransactionDecision d = check.check(checkRequest(view));
      if (d == TransactionDecision.COMMIT) {
        return TransactionResolution.COMMIT;
      }
      return d == TransactionDecision.ROLLBACK
          ? TransactionResolution.ROLLBACK
          : TransactionResolution.UNKNOWN;
    } catch (RuntimeException e) {
      log.warn("Transaction check of topic {} failed: {}", view.getTopic(), e.toString());
      return TransactionResolution.UNKNOWN;
    }
  }

  /**
   * Answers the broker's check-back for transactional messages replayed from the store: a half
   * message whose id is still in the store was being replayed (begin + send + commit) when the
   * commit got lost, so it is committed; anything else is not this producer's to decide yet.
   */
  static TransactionResolution checkReplayedTransaction(FallbackStore store, MessageView view) {
    String id = view.getProperties().get(ReliableMessage.ID_PROPERTY);
    if (store != null && id != null && store.find(id).isPresent()) {
      return TransactionResolution.COMMIT;
    }
    return TransactionResolution.UNKNOWN;
  }

  /**
   * Creates a producer over a given client factory (tests hand in fakes here).
   *
   * @param config the configuration
   * @param provider the client's service provider, for message building
   * @param factory builds the client producer
   * @return the producer
   */
  public static ReliableProducerImpl create(
      ReliableProducerConfig config,
      ClientServiceProvider provider,
      ClientProducerFactory factory) {
    return new ReliableProducerImpl(config, provider, factory);
  }

  static RetryConfig retryConfig(SendRetryConfig c) {
    IntervalFunction backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            c.initialBackoff(), c.multiplier(), c.jitter(), c.maxBackoff());
    return RetryConfig.custom()
        .maxAttempts(c.maxAttempts())
        .intervalBiFunction(IntervalBiFunction.ofIntervalFunction(backoff))
        // settle() classifies first (knowing the topic) and never hands a non-retryable error
        // to the retry context.
        .retryOnException(e -> true)
        .build();
  }

  static CircuitBreakerConfig circuitConfig(CircuitConfig c) {
    return CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(c.slidingWindowSize())
        .minimumNumberOfCalls(c.minimumNumberOfCalls())
        .failureRateThreshold(c.failureRateThreshold())
        .waitDurationInOpenState(c.waitInOpenState())
        .permittedNumberOfCallsInHalfOpenState(c.permittedCallsInHalfOpenState())
        // Only sends that ended unreachable after their retries are recorded as failures (see
        // attempt/settle); a bad request is never recorded, so nothing is to be ignored here.
        .writableStackTraceEnabled(false)
        .build();
  }

  @Override
  public SendOutcome send(ReliableMessage message) {
    Job job = prepare(message);
    admit(job);
    boolean handedOff = false;
    try {
      if (fenced(job.message)) {
        return storeNow(job, "message group waits in the fallback store", null);
      }
      Attempted result;
      CompletableFuture<Attempted> attempts = attempts(job);
      try {
        result = attempts.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        // The attempt goes on in the background and still ends SENT or STORED; only the caller's
        // knowledge of it is lost.
        handedOff = true;
        concludeInBackground(job, attempts);
        throw sendFailed(job, ErrorKind.AMBIGUOUS, "interrupted while waiting", e);
      } catch (ExecutionException e) {
        throw sendFailed(job, ErrorKind.RETRYABLE, "internal error", e.getCause());
      }
      return conclude(job, result);
    } finally {
      if (!handedOff) {
        finish(job);
      }
    }
  }

  /**
   * Accepts an asynchronous send only with room reserved in the store, so that it can always end
   * STORED, a full store refuses it at once, and the bodies held by pending sends and appends stay
   * within the store's byte capacity. A synchronous send reserves when it reaches the store: its
   * caller's thread holds the body meanwhile.
   */
  @Override
  public CompletableFuture<SendOutcome> sendAsync(ReliableMessage message) {
    ensureOpen();
    long start = System.nanoTime();
    ReliableMessage resolved = resolve(message);
    CapacityReservation reservation;
    try {
      reservation = store == null ? CapacityReservation.NONE : store.reserve(resolved.bodyLength());
    } catch (RuntimeException full) {
      // FallbackStoreFullException (or a closed store): the message was not accepted.
      tell(l -> l.onFailed(resolved, full));
      return CompletableFuture.failedFuture(full);
    }
    Job job;
    try {
      job = job(resolved, start, reservation);
      admit(job);
    } catch (RuntimeException e) {
      reservation.release();
      throw e;
    }
    CompletableFuture<SendOutcome> outcome;
    try {
      if (fenced(job.message)) {
        outcome =
            CompletableFuture.supplyAsync(
                () -> storeNow(job, "message group waits in the fallback store", null), storeTasks);
      } else {
        outcome =
            attempts(job)
                .thenCompose(
                    result ->
                        result.status == Attempted.Status.UNREACHABLE && store != null
                            ? CompletableFuture.supplyAsync(() -> conclude(job, result), storeTasks)
                            : CompletableFuture.completedFuture(conclude(job, result)));
      }
    } catch (RuntimeException e) {
      finish(job);
      throw e;
    }
    // The caller's future completes before the send leaves the in-flight set, so that every
    // future of a send in flight at close() is complete when close() returns.
    CompletableFuture<SendOutcome> returned = new CompletableFuture<>();
    outcome.whenComplete(
        (o, e) -> {
          job.reservation.release();
          try {
            if (e != null) {
              returned.completeExceptionally(e);
            } else {
              returned.complete(o);
            }
          } finally {
            finish(job);
          }
        });
    return returned;
  }

  private Job prepare(ReliableMessage message) {
    ensureOpen();
    long start = System.nanoTime();
    return job(resolve(message), start, CapacityReservation.NONE);
  }

  private ReliableMessage resolve(ReliableMessage message) {
    return chain.stamp(
        validator.validate(message, config.idGenerator().nextId(), config.clock().instant()));
  }

  private Job job(ReliableMessage resolved, long start, CapacityReservation reservation) {
    Message clientMessage = ClientSupport.toClientMessage(provider, resolved);
    return new Job(
        resolved,
        clientMessage,
        start,
        start + config.retry().totalDeadline().toNanos(),
        reservation);
  }

  /**
   * Counts a send as in flight, so that {@link #close} waits for it; refuses it when close began
   * (checked after registering, so close either sees the job or the job sees close).
   */
  private void admit(Job job) {
    inFlight.add(job);
    if (closed) {
      finish(job);
      throw closedException();
    }
  }

  /** Ends a send's time in flight: its reservation goes back unless an append consumed it. */
  private void finish(Job job) {
    job.reservation.release();
    if (inFlight.remove(job) && closed && inFlight.isEmpty()) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /**
   * Stores (or lets go, when SENT) a synchronous send whose caller stopped waiting; failures can
   * only be logged, the caller was told AMBIGUOUS.
   */
  private void concludeInBackground(Job job, CompletableFuture<Attempted> attempts) {
    attempts.whenComplete(
        (result, error) -> {
          if (result != null && result.status == Attempted.Status.SENT) {
            chain.accepted(job.message);
          }
          if (result == null || result.status != Attempted.Status.UNREACHABLE || store == null) {
            finish(job);
            return;
          }
          storeTasks.execute(
              () -> {
                try {
                  storeNow(job, result.reason, result.error);
                } catch (RuntimeException e) {
                  log.warn(
                      "Interrupted send {} of topic {} could not be stored: {}",
                      job.id(),
                      job.message.topic(),
                      e.toString());
                } finally {
                  finish(job);
                }
              });
        });
  }

  private boolean fenced(ReliableMessage message) {
    return store != null
        && message.messageGroup().isPresent()
        && store.holdsGroup(message.topic(), message.messageGroup().get());
  }

  /** Turns the attempt machine's result into an outcome, storing it when unreachable. */
  private SendOutcome conclude(Job job, Attempted result) {
    switch (result.status) {
      case SENT:
        chain.accepted(job.message);
        SendOutcome sent =
            new SendOutcome(
                SendStatus.SENT,
                job.message.topic(),
                job.id(),
                result.receipt.getMessageId().toString(),
                result.attempts,
                job.elapsed());
        tell(l -> l.onSent(sent));
        return sent;
      case REJECTED:
        throw sendFailed(job, ErrorKind.NON_RETRYABLE, "not retryable", result.error);
      case UNREACHABLE:
      default:
        if (store == null) {
          throw sendFailed(job, result.kind, result.reason, result.error);
        }
        return storeNow(job, result.reason, result.error);
    }
  }

  private SendOutcome storeNow(Job job, String reason, Throwable lastError) {
    try {
      store.append(job.message, false, job.reservation);
    } catch (RuntimeException e) {
      tell(l -> l.onFailed(job.message, e));
      throw e;
    }
    chain.accepted(job.message);
    if (log.isDebugEnabled()) {
      log.debug(
          "Stored message {} of topic {} in the fallback store ({}{})",
          job.id(),
          job.message.topic(),
          reason,
          lastError == null ? "" : ", last error " + lastError.getClass().getSimpleName());
    }
    if (replayer != null) {
      replayer.wake();
    }
    SendOutcome stored =
        new SendOutcome(
            SendStatus.STORED,
            job.message.topic(),
            job.id(),
            null,
            job.attempts.get(),
            job.elapsed());
    tell(l -> l.onStored(stored));
    return stored;
  }

  /**
   * Runs attempts until SENT, REJECTED or UNREACHABLE; never completes exceptionally. {@link
   * #close} may complete it UNREACHABLE early.
   */
  private CompletableFuture<Attempted> attempts(Job job) {
    CompletableFuture<Attempted> result = job.outcome;
    attempt(job, retry.asyncContext(), result);
    return result;
  }

  private void attempt(
      Job job, Retry.AsyncContext<SendReceipt> context, CompletableFuture<Attempted> result) {
    long remaining = job.deadline - System.nanoTime();
    if (remaining <= 0) {
      circuitFailed(job, job.lastError);
      result.complete(Attempted.unreachable(job, "total deadline reached"));
      return;
    }
    if (closed) {
      circuitReleased(job);
      result.complete(Attempted.unreachable(job, "producer closing"));
      return;
    }
    if (circuit != null) {
      if (!job.circuitPermit) {
        // One permission per send, not per attempt: the circuit counts sends (see settle).
        if (!circuit.tryAcquirePermission()) {
          result.complete(Attempted.unreachable(job, "circuit open"));
          return;
        }
        job.circuitPermit = true;
        job.circuitStarted = System.nanoTime();
      } else if (circuit.getState() == CircuitBreaker.State.OPEN) {
        // Other sends found the cluster unreachable meanwhile: this one is stored now as well.
        circuitReleased(job);
        result.complete(Attempted.unreachable(job, "circuit open"));
        return;
      }
    }
    job.attempts.incrementAndGet();
    CompletableFuture<SendReceipt> future;
    Producer used = null;
    try {
      used = producer();
      future = job.transactional ? halfAttempt(job, used) : used.sendAsync(job.clientMessage);
    } catch (ClientException | RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    Producer through = used;
    future
        .orTimeout(remaining, TimeUnit.NANOSECONDS)
        .whenComplete(
            (receipt, error) -> {
              try {
                if (error != null) {
                  onRequestFailed(through, error);
                }
                settle(job, context, result, receipt, error);
              } catch (RuntimeException | Error bug) {
                // Never leave a caller waiting on a future that nobody completes.
                result.completeExceptionally(bug);
              }
            });
  }

  private void settle(
      Job job,
      Retry.AsyncContext<SendReceipt> context,
      CompletableFuture<Attempted> result,
      SendReceipt receipt,
      Throwable error) {
    if (error == null) {
      circuitSucceeded(job);
      String topic = job.message.topic();
      if (!servedTopics.contains(topic)) {
        servedTopics.add(topic);
      }
      context.onComplete();
      result.complete(Attempted.sent(receipt, job.attempts.get()));
      return;
    }
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    ErrorKind kind = classifyFor(job.message.topic(), cause);
    job.lastError = cause;
    job.lastKind = kind;
    if (kind == ErrorKind.NON_RETRYABLE) {
      // A bad request says nothing about an outage.
      circuitReleased(job);
      result.complete(Attempted.rejected(job));
      return;
    }
    if (!closed
        && ExceptionClassifier.isQueueFailure(cause)
        && job.queueRetries < config.retry().maxQueueRetries()) {
      // One broker behind a live proxy failed: the proxy picks another queue for the next
      // attempt, so it goes at once and does not use up an attempt of the backoff schedule.
      job.queueRetries++;
      try {
        scheduler.execute(() -> attempt(job, context, result));
        return;
      } catch (RuntimeException rejected) {
        circuitReleased(job);
        result.complete(Attempted.unreachable(job, "producer closing"));
        return;
      }
    }
    long delayMillis = context.onError(cause);
    if (delayMillis < 0) {
      circuitFailed(job, cause);
      result.complete(Attempted.unreachable(job, "attempts exhausted"));
    } else if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis) >= job.deadline) {
      circuitFailed(job, cause);
      result.complete(Attempted.unreachable(job, "total deadline reached"));
    } else if (closed) {
      // Closing: no backoff, the send is stored now.
      circuitReleased(job);
      result.complete(Attempted.unreachable(job, "producer closing"));
    } else {
      try {
        ScheduledFuture<?> backoff =
            scheduler.schedule(
                () -> attempt(job, context, result), delayMillis, TimeUnit.MILLISECONDS);
        job.backoff = backoff;
        // close() may have looked at this job before the backoff was set.
        if (closed && backoff.cancel(false)) {
          result.complete(Attempted.unreachable(job, "producer closing"));
        }
      } catch (RuntimeException rejected) {
        result.complete(Attempted.unreachable(job, "producer closing"));
      }
    }
  }

  /**
   * The outage detector counts sends, not attempts: a send that ended SENT is a success however
   * many of its attempts failed, so one dead broker group in a cluster (whose queues the proxy
   * keeps picking until its route refreshes) never opens the circuit while the live groups take the
   * retries. Only a send that found the cluster unreachable through all its retries is a failure:
   * an outage is the cluster refusing, not one queue failing.
   */
  private void circuitSucceeded(Job job) {
    if (circuit != null && job.circuitPermit) {
      job.circuitPermit = false;
      circuit.onSuccess(System.nanoTime() - job.circuitStarted, TimeUnit.NANOSECONDS);
    }
  }

  private void circuitFailed(Job job, Throwable cause) {
    if (job.message.messageGroup().isPresent() && ExceptionClassifier.isQueueFailure(cause)) {
      // A FIFO message goes to its group's one queue every attempt: that queue's broker failing
      // says nothing about the others, which keep taking the rest of the traffic.
      circuitReleased(job);
      return;
    }
    if (circuit != null && job.circuitPermit) {
      job.circuitPermit = false;
      circuit.onError(
          System.nanoTime() - job.circuitStarted,
          TimeUnit.NANOSECONDS,
          cause != null ? cause : new TimeoutException("total deadline reached"));
    }
  }

  /** Gives back a send's permission without a verdict (bad request, closing). */
  private void circuitReleased(Job job) {
    if (circuit != null && job.circuitPermit) {
      job.circuitPermit = false;
      circuit.releasePermission();
    }
  }

  /** The classifier, told whether the topic was served before in this process. */
  ErrorKind classifyFor(String topic, Throwable error) {
    return ExceptionClassifier.classify(error, servedTopics.contains(topic));
  }

  private void runStoreTask(Runnable task) {
    try {
      storeExecutor.execute(task);
    } catch (RejectedExecutionException shutDown) {
      task.run();
    }
  }

  /**
   * A request through {@code used} failed: when it could not reach a proxy ({@link
   * ExceptionClassifier#isUnreachable}) and {@code used} is still the current client, the client
   * may be cut off (its channel in gRPC's reconnect backoff), and the watcher looks at the
   * endpoints. Answers of a live proxy (a broker behind it failed, throttling, a bad request),
   * timeouts and failures of a client already replaced (its sends are cancelled or cut when it
   * closes) say nothing about the current client's channel: counting them replaced working clients
   * again and again in a cluster fault test, cancelling the sends in flight each time.
   */
  private void onRequestFailed(Producer used, Throwable error) {
    if (used != null && used == producer && ExceptionClassifier.isUnreachable(error)) {
      onClientTrouble();
    }
  }

  /** Sends one stored entry for the replayer; the entry keeps its id and delivery time. */
  private CompletableFuture<SendReceipt> replaySend(StoredEntry entry) {
    String topic = entry.message().topic();
    return sendStored(entry)
        .whenComplete(
            (receipt, error) -> {
              if (error == null && !servedTopics.contains(topic)) {
                servedTopics.add(topic);
              }
              if (error == null) {
                tell(l -> l.onReplayed(entry));
              }
            });
  }

  private CompletableFuture<SendReceipt> sendStored(StoredEntry entry) {
    Message message = ClientSupport.toClientMessage(provider, entry.message());
    if (entry.transactional()) {
      // The proxy rejects a plain send to a TRANSACTION topic: begin, send the half message,
      // commit.
      return CompletableFuture.supplyAsync(
              () -> {
                try {
                  Producer p = producer();
                  Transaction tx = p.beginTransaction();
                  SendReceipt receipt = p.send(message, tx);
                  tx.commit();
                  return receipt;
                } catch (ClientException e) {
                  throw new CompletionException(e);
                }
              },
              storeExecutor)
          // Bounded like a plain replay: a client closed under the send (replaced after an
          // outage) may never answer, and the replayer's round waits for every entry in flight.
          // The entry stays and is sent again; a half message the old client sent is committed by
          // the check-back, since its id is still in the store.
          .orTimeout(config.client().requestTimeout().toMillis() * 3, TimeUnit.MILLISECONDS);
    }
    CompletableFuture<SendReceipt> sent;
    Producer used = null;
    try {
      used = producer();
      sent =
          used.sendAsync(message)
              .orTimeout(config.client().requestTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ClientException | RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    Producer through = used;
    sent.whenComplete(
        (r, e) -> {
          if (e != null) {
            onRequestFailed(through, e);
          }
        });
    return sent;
  }

  /**
   * Begins a transaction and sends its half message through the same attempt machine as {@link
   * #send}: the same retry, circuit and total deadline, the same client. Nothing is stored: an
   * unreachable broker is the transactional sender's to handle (its outbox, or an exception).
   *
   * @param message a validated message with its id
   * @return the half message and its open transaction
   * @throws SendFailedException NON_RETRYABLE when the broker rejected it; otherwise (attempts
   *     exhausted, deadline reached, circuit open, interrupted) with the reason, and the half
   *     message was not sent or will be rolled back
   * @throws IllegalStateException when the producer is closed
   */
  public HalfMessage sendHalf(ReliableMessage message) {
    ensureOpen();
    long start = System.nanoTime();
    Job job =
        new Job(
            message,
            ClientSupport.toClientMessage(provider, message),
            start,
            start + config.retry().totalDeadline().toNanos(),
            CapacityReservation.NONE);
    job.transactional = true;
    // In flight like any send, so that close() waits for it (or ends it) before the client closes.
    admit(job);
    Attempted result;
    try {
      result = attempts(job).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // A half message sent after this is never committed: no log row, the check-back rolls it
      // back after the grace period.
      throw failed(job, ErrorKind.AMBIGUOUS, "interrupted while sending the half message", e);
    } catch (ExecutionException e) {
      throw failed(job, ErrorKind.RETRYABLE, "internal error", e.getCause());
    } finally {
      finish(job);
    }
    switch (result.status) {
      case SENT:
        HalfReceipt half = (HalfReceipt) result.receipt;
        return new HalfMessage(
            half.transaction,
            String.valueOf(half.receipt.getMessageId()),
            result.attempts,
            job.elapsed());
      case REJECTED:
        throw failed(
            job,
            ErrorKind.NON_RETRYABLE,
            "half message rejected; the local transaction did not run",
            result.error);
      case UNREACHABLE:
      default:
        throw failed(job, result.kind, result.reason, result.error);
    }
  }

  /**
   * One attempt at a half message. The client's transactional send blocks, so it runs on the store
   * executor; a half message that arrives after its attempt timed out is rolled back at once (its
   * caller has moved on and would never decide it).
   */
  private CompletableFuture<SendReceipt> halfAttempt(Job job, Producer p) {
    CompletableFuture<SendReceipt> f = new CompletableFuture<>();
    storeExecutor.execute(
        () -> {
          Transaction tx = null;
          try {
            tx = p.beginTransaction();
            SendReceipt receipt = p.send(job.clientMessage, tx);
            if (!f.complete(new HalfReceipt(receipt, tx))) {
              tx.rollback();
            }
          } catch (ClientException | RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  /**
   * Makes this producer's client answer check-backs with a transactional sender's check.
   *
   * @param check the sender's check
   * @throws IllegalStateException when the producer answers with another check already
   */
  public void attachTransactionCheck(TransactionCheck check) {
    dispatch.attach(java.util.Objects.requireNonNull(check, "check"));
  }

  /**
   * Stops answering with a check attached before (its sender closed).
   *
   * @param check the check
   */
  public void detachTransactionCheck(TransactionCheck check) {
    dispatch.detach(check);
  }

  /**
   * Replays another store (a transactional sender's outbox in the business database) through this
   * producer's client and send path, on a replayer of its own that the caller stops.
   *
   * @param other the store
   * @param replay how to replay it
   * @return the running replay
   */
  public StoreReplay replay(FallbackStore other, ReplayConfig replay) {
    ensureOpen();
    Replayer r =
        new Replayer(
            other,
            replay,
            this::replaySend,
            Replayer.ownerId("outbox-replayer-", replay),
            this::classifyFor,
            this::onReplaySucceeded);
    r.start();
    return new StoreReplay(r);
  }

  /**
   * Whether this producer's own replayer drains the given store.
   *
   * @param other a store
   * @return true when it is this producer's fallback store and replay is on
   */
  public boolean replaysStore(FallbackStore other) {
    return replayer != null && store == other;
  }

  /** A replay started by {@link #replay}. */
  public static final class StoreReplay implements AutoCloseable {
    private final Replayer replayer;

    private StoreReplay(Replayer replayer) {
      this.replayer = replayer;
    }

    /** Starts a round now instead of at the next poll. */
    public void replayNow() {
      replayer.replayNow();
    }

    /** Stops the replayer between entries and waits for the ones in flight. */
    @Override
    public void close() {
      replayer.stop(CLOSE_TIMEOUT);
    }
  }

  /**
   * A half message at the broker, waiting for its commit or rollback.
   *
   * @param transaction the client's open transaction
   * @param messageId the broker's id of the half message
   * @param attempts attempts made
   * @param elapsed time from the start of the first attempt
   */
  public record HalfMessage(
      Transaction transaction, String messageId, int attempts, Duration elapsed) {}

  /** A receipt that carries the transaction of its half message through the attempt machine. */
  private static final class HalfReceipt implements SendReceipt {
    final SendReceipt receipt;
    final Transaction transaction;

    HalfReceipt(SendReceipt receipt, Transaction transaction) {
      this.receipt = receipt;
      this.transaction = transaction;
    }

    @Override
    public org.apache.rocketmq.client.apis.message.MessageId getMessageId() {
      return receipt.getMessageId();
    }

    @Override
    public String getRecallHandle() {
      return receipt.getRecallHandle();
    }
  }

  private Producer producer() throws ClientException {
    Producer p = producer;
    if (p != null) {
      return p;
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("ReliableProducer is closed");
      }
      if (producer == null) {
        try {
          producer = factory.create();
        } catch (IllegalStateException e) {
          // A client that announces topics fails to start (its service ends FAILED) while the
          // proxy is unreachable: an outage to retry, never a rejection to park. Unless the proxy
          // answered and refused the credentials: that is bad configuration, rejected at once.
          ClientException denied = ExceptionClassifier.accessDenied(e);
          if (denied != null) {
            throw denied;
          }
          throw new ClientNotStartedException(e);
        }
      }
      return producer;
    }
  }

  /** {@link #failed} for a plain send, told to the listeners. */
  private SendFailedException sendFailed(Job job, ErrorKind kind, String reason, Throwable cause) {
    SendFailedException e = failed(job, kind, reason, cause);
    tell(l -> l.onFailed(job.message, e));
    return e;
  }

  /**
   * Tells every listener, in order. A listener's exception is logged and swallowed: a listener
   * never changes a send's outcome, and runs on threads (client callbacks, the store's append
   * thread, the replayer) that must not die of it.
   */
  private void tell(Consumer<ReliableProducerListener> call) {
    if (listeners.isEmpty()) {
      return;
    }
    for (ReliableProducerListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (Exception e) {
        log.warn(
            "ReliableProducerListener {} threw (ignored, the send is not affected): {}",
            listener.getClass().getName(),
            e.toString());
      }
    }
  }

  private SendFailedException failed(Job job, ErrorKind kind, String reason, Throwable cause) {
    return new SendFailedException(
        job.message.topic(), job.id(), job.attempts.get(), job.elapsed(), kind, reason, cause);
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException(
        "ReliableProducer is closed: the message was neither sent nor stored");
  }

  @Override
  public Optional<FallbackOperations> fallback() {
    return store == null ? Optional.empty() : Optional.of(new Operations());
  }

  @Override
  public CircuitState circuitState() {
    return circuit == null ? CircuitState.DISABLED : toCircuitState(circuit.getState());
  }

  /**
   * The SDK's view of the breaker's state. The producer only moves the breaker between CLOSED, OPEN
   * and HALF_OPEN; the breaker's other states are mapped for completeness: a forced-open breaker
   * refuses sends like an open one, a disabled or metrics-only one lets every send through.
   */
  static CircuitState toCircuitState(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED -> CircuitState.CLOSED;
      case OPEN, FORCED_OPEN -> CircuitState.OPEN;
      case HALF_OPEN -> CircuitState.HALF_OPEN;
      case DISABLED, METRICS_ONLY -> CircuitState.DISABLED;
    };
  }

  /**
   * Closes gracefully: new sends are refused ({@link IllegalStateException}); in-flight sends,
   * synchronous and asynchronous, end SENT or STORED: one waiting on a backoff is stored at once,
   * an attempt the broker has not answered gets until {@link
   * ReliableProducerConfig#closeDrainTime()} and is then stored without the answer. Their appends
   * are committed before the client closes (at most {@code CLOSE_TIMEOUT} more); the store itself
   * stays open for its owner to close.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    watcher.close();
    long drainDeadline = System.nanoTime() + config.closeDrainTime().toNanos();
    int atClose = inFlight.size();
    for (Job job : inFlight) {
      ScheduledFuture<?> backoff = job.backoff;
      if (backoff != null && backoff.cancel(false)) {
        job.outcome.complete(Attempted.unreachable(job, "producer closing"));
      }
    }
    if (replayer != null) {
      replayer.stop(CLOSE_TIMEOUT);
    }
    boolean done = awaitDrained(drainDeadline);
    int cut = 0;
    if (!done) {
      for (Job job : inFlight) {
        if (job.outcome.complete(
            Attempted.unreachable(job, "producer closed before the broker answered"))) {
          cut++;
        }
      }
      done = awaitDrained(System.nanoTime() + CLOSE_TIMEOUT.toNanos());
    }
    if (atClose > 0) {
      log.info(
          "ReliableProducer closed with {} sends in flight; {} stored without the broker's answer"
              + " after the drain time{}",
          atClose,
          cut,
          done ? "" : ", " + inFlight.size() + " still appending to the store");
    }
    scheduler.shutdownNow();
    storeExecutor.shutdown();
    try {
      storeExecutor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Producer p;
    synchronized (lock) {
      p = producer;
      producer = null;
    }
    if (p != null) {
      // The 5.2.0 client's close was seen to block forever after a broker kill and restart.
      BoundedClose.close(p, "RocketMQ producer", CLOSE_TIMEOUT);
    }
  }

  /** Waits until no send is in flight or the deadline passes; false when some still are. */
  private boolean awaitDrained(long deadlineNanos) {
    synchronized (drained) {
      while (!inFlight.isEmpty()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || Thread.currentThread().isInterrupted()) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * The client could not be built; retryable (its class is not the plain {@link ClientException}
   * the classifier unwraps, so the cause's classification does not leak through).
   */
  static final class ClientNotStartedException extends ClientException {
    private static final long serialVersionUID = 1L;

    ClientNotStartedException(Throwable cause) {
      super("RocketMQ client could not start: " + cause.getMessage(), cause);
    }
  }

  /** One logical send in progress. */
  private static final class Job {
    final ReliableMessage message;
    final Message clientMessage;
    final long start;
    final long deadline;
    final CapacityReservation reservation;
    final AtomicInteger attempts = new AtomicInteger();
    final CompletableFuture<Attempted> outcome = new CompletableFuture<>();
    // A half message of a transactional send (begin + send), set before the first attempt.
    boolean transactional;
    volatile Throwable lastError;
    volatile ErrorKind lastKind = ErrorKind.RETRYABLE;
    volatile ScheduledFuture<?> backoff;
    // The circuit's permission for this send (taken at its first attempt) and when.
    volatile boolean circuitPermit;
    volatile long circuitStarted;
    volatile int queueRetries;

    Job(
        ReliableMessage message,
        Message clientMessage,
        long start,
        long deadline,
        CapacityReservation reservation) {
      this.message = message;
      this.clientMessage = clientMessage;
      this.start = start;
      this.deadline = deadline;
      this.reservation = reservation;
    }

    String id() {
      return message.id().orElseThrow();
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - start);
    }
  }

  /** What the attempt machine ended with. */
  private static final class Attempted {
    enum Status {
      SENT,
      REJECTED,
      UNREACHABLE
    }

    final Status status;
    final SendReceipt receipt;
    final int attempts;
    final ErrorKind kind;
    final String reason;
    final Throwable error;

    private Attempted(
        Status status,
        SendReceipt receipt,
        int attempts,
        ErrorKind kind,
        String reason,
        Throwable error) {
      this.status = status;
      this.receipt = receipt;
      this.attempts = attempts;
      this.kind = kind;
      this.reason = reason;
      this.error = error;
    }

    static Attempted sent(SendReceipt receipt, int attempts) {
      return new Attempted(Status.SENT, receipt, attempts, null, null, null);
    }

    static Attempted rejected(Job job) {
      return new Attempted(
          Status.REJECTED,
          null,
          job.attempts.get(),
          ErrorKind.NON_RETRYABLE,
          "not retryable",
          job.lastError);
    }

    static Attempted unreachable(Job job, String reason) {
      return new Attempted(
          Status.UNREACHABLE, null, job.attempts.get(), job.lastKind, reason, job.lastError);
    }
  }

  /** {@link FallbackOperations} over the store and the replayer. */
  private final class Operations implements FallbackOperations {
    @Override
    public long count() {
      return store.count();
    }

    @Override
    public long count(EntryState state) {
      return store.count(state);
    }

    @Override
    public Optional<Duration> oldestAge() {
      Instant now = config.clock().instant();
      return store.oldestStoredAt().map(t -> Duration.between(t, now));
    }

    @Override
    public List<EntrySummary> list(long offset, int limit) {
      return store.list(offset, limit).stream().map(EntrySummary::of).collect(Collectors.toList());
    }

    @Override
    public List<BlockedGroup> blockedGroups(int limit) {
      return store.blockedGroups(limit);
    }

    @Override
    public long countBlockedGroups() {
      return store.countBlockedGroups();
    }

    @Override
    public void replayNow() {
      if (replayer != null) {
        replayer.replayNow();
      }
    }

    @Override
    public boolean unpark(String id) {
      boolean done = store.unpark(id);
      replayNow();
      return done;
    }

    @Override
    public boolean delete(String id) {
      boolean done = store.delete(id);
      // A deleted parked entry unblocks its group: replay the rest now, not at the next backoff.
      replayNow();
      return done;
    }
  }
}
