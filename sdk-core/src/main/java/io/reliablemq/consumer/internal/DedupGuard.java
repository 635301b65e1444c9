package io.reliablemq.consumer.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.reliablemq.consumer.ConsumerStats;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.StoreUnavailablePolicy;
import io.reliablemq.dedup.ClaimResult;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupRecord;
import io.reliablemq.dedup.DedupState;
import io.reliablemq.dedup.DedupStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one delivery through the dedup state machine (docs/guarantees.md, "A dedup key"):
 *
 * <ol>
 *   <li>key in the in-memory cache of CONSUMED keys: DUPLICATE, handler not run;
 *   <li>key in flight on this instance already (a redelivery racing the first delivery): FAILURE;
 *   <li>claim in the store: ALREADY_CONSUMED gives DUPLICATE; HELD_BY_OTHER (live lease) gives
 *       FAILURE, so the broker redelivers later and nothing is skipped; an owning claim runs the
 *       work while a scheduled task extends the lease;
 *   <li>work failed: release the claim (absent again), FAILURE;
 *   <li>work succeeded: mark CONSUMED (unless the work marked it inside its own transaction), cache
 *       the key, SUCCESS.
 * </ol>
 *
 * <p>A store that throws on the claim is FAILURE (fail-closed) unless FAIL_OPEN was chosen. A mark
 * that fails after the work succeeded still answers SUCCESS: the effect happened, and FAILURE would
 * only bring the message back to this owner's live claim and run it again; the key is cached so
 * this instance at least skips it, and the claim's lease runs out on its own.
 *
 * <p>Between an owning claim and the work, a FIFO message stamped with its predecessor waits for it
 * ({@link OrderGuard}) under the same lease renewal that covers a long handler.
 *
 * <p>Lease renewals run on the scheduler the caller hands in; the purge of expired records runs on
 * a thread of its own ({@link #startPurging}), so a long purge never holds a renewal back past the
 * lease (which would let another instance take the key over and run the handler a second time).
 */
public final class DedupGuard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DedupGuard.class);

  /** How a delivery ended, which decides the ack and the metric tag. */
  public enum Result {
    /** The handler ran and succeeded: acknowledge. */
    SUCCESS,
    /** The handler failed, or could not be run safely now: redeliver later. */
    FAILURE,
    /** Already consumed: acknowledge without running the handler. */
    DUPLICATE
  }

  /** The business work of one delivery. */
  @FunctionalInterface
  public interface Work {
    /**
     * Runs the handler; a transactional work also writes the CONSUMED mark in its transaction.
     *
     * @param key the claimed key (null when dedup is off or bypassed by fail-open)
     * @param expiresAt the expiry of the mark to write
     * @throws Exception to fail the delivery
     */
    void run(DedupKey key, Instant expiresAt) throws Exception;
  }

  private final DedupConfig config;
  private final DedupStore store;
  private final String scope;
  private final String owner;
  private final boolean marksInWork;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Cache<DedupKey, Boolean> consumed;
  private final OrderGuard order;
  private final Set<DedupKey> inFlight = ConcurrentHashMap.newKeySet();
  private final Object purgeLock = new Object();
  private ScheduledExecutorService purger;
  private boolean closed;
  private final Timer successTimer;
  private final Timer failureTimer;
  private final Timer duplicateTimer;
  private final Timer claimTimer;
  private final Timer markTimer;

  private final LongAdder handled = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder busy = new LongAdder();
  private final LongAdder l1Hits = new LongAdder();

  /**
   * Creates a guard.
   *
   * @param config the dedup settings (may be disabled)
   * @param scope the consumer group
   * @param owner this instance's owner id
   * @param marksInWork true in the transactional mode: the work writes the mark itself
   * @param scheduler runs lease extensions (and nothing slow: a late extension may lose a lease)
   * @param registry where metrics go, or null
   */
  public DedupGuard(
      DedupConfig config,
      String scope,
      String owner,
      boolean marksInWork,
      ScheduledExecutorService scheduler,
      MeterRegistry registry) {
    this(config, scope, owner, marksInWork, scheduler, registry, topic -> true);
  }

  /**
   * Creates a guard whose order guard covers only some topics.
   *
   * @param config the dedup settings (may be disabled)
   * @param scope the consumer group
   * @param owner this instance's owner id
   * @param marksInWork true in the transactional mode: the work writes the mark itself
   * @param scheduler runs lease extensions (and nothing slow: a late extension may lose a lease)
   * @param registry where metrics go, or null
   * @param orderGuardedTopic whether FIFO messages of a topic wait for their predecessor (false for
   *     a topic subscribed with a tag filter, which may never deliver the predecessor)
   */
  public DedupGuard(
      DedupConfig config,
      String scope,
      String owner,
      boolean marksInWork,
      ScheduledExecutorService scheduler,
      MeterRegistry registry,
      Predicate<String> orderGuardedTopic) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = config.store().orElse(null);
    this.scope = Objects.requireNonNull(scope, "scope");
    this.owner = Objects.requireNonNull(owner, "owner");
    this.marksInWork = marksInWork;
    this.clock = config.clock();
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.consumed =
        Caffeine.newBuilder()
            .maximumSize(config.cacheMaxSize())
            .expireAfterWrite(config.cacheTtl())
            .ticker(config.ticker())
            .recordStats()
            .build();
    this.order =
        new OrderGuard(
            store == null ? Duration.ZERO : config.orderGuardWait(),
            clock,
            Objects.requireNonNull(orderGuardedTopic, "orderGuardedTopic"),
            scope,
            registry);
    if (registry != null) {
      // Created once here, never per message.
      this.successTimer = consumeTimer(registry, "success");
      this.failureTimer = consumeTimer(registry, "failure");
      this.duplicateTimer = consumeTimer(registry, "duplicate");
      this.claimTimer = storeTimer(registry, "claim");
      this.markTimer = storeTimer(registry, "mark");
      CaffeineCacheMetrics.monitor(registry, consumed, "reliablemq.dedup.cache", "group", scope);
    } else {
      this.successTimer = null;
      this.failureTimer = null;
      this.duplicateTimer = null;
      this.claimTimer = null;
      this.markTimer = null;
    }
  }

  private Timer consumeTimer(MeterRegistry registry, String result) {
    return Timer.builder("reliablemq.consume")
        .description("Deliveries handled by a ReliableConsumer, by result")
        .tag("group", scope)
        .tag("result", result)
        .register(registry);
  }

  private Timer storeTimer(MeterRegistry registry, String op) {
    return Timer.builder("reliablemq.dedup.store")
        .description("Latency of dedup store calls")
        .tag("group", scope)
        .tag("op", op)
        .register(registry);
  }

  /**
   * The dedup key of a message: the extractor's key, hashed when longer than the store allows.
   *
   * @param message the message
   * @return the key
   */
  public DedupKey keyOf(ReceivedMessage message) {
    String k = config.keyExtractor().keyOf(message);
    if (k == null || k.isBlank()) {
      throw new IllegalStateException(
          "the dedup key extractor returned a blank key for " + message);
    }
    if (k.length() > DedupKey.MAX_LENGTH) {
      k = "sha256:" + sha256(k);
    }
    return new DedupKey(scope, k);
  }

  /**
   * Processes one delivery.
   *
   * @param message the message
   * @param work the business work
   * @return how it ended
   */
  public Result process(ReceivedMessage message, Work work) {
    long start = System.nanoTime();
    Result r = decide(message, work);
    Timer t =
        switch (r) {
          case SUCCESS -> successTimer;
          case FAILURE -> failureTimer;
          case DUPLICATE -> duplicateTimer;
        };
    if (t != null) {
      t.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    switch (r) {
      case SUCCESS -> handled.increment();
      case FAILURE -> failed.increment();
      case DUPLICATE -> duplicates.increment();
    }
    return r;
  }

  private Result decide(ReceivedMessage message, Work work) {
    if (store == null) {
      return runUnguarded(message, work);
    }
    DedupKey key;
    try {
      key = keyOf(message);
    } catch (RuntimeException e) {
      LOG.warn("No dedup key for {}: {}", message, e.toString());
      return Result.FAILURE;
    }
    if (consumed.getIfPresent(key) != null) {
      l1Hits.increment();
      return Result.DUPLICATE;
    }
    if (!inFlight.add(key)) {
      // This instance is already running the handler for the key: come back later.
      busy.increment();
      return Result.FAILURE;
    }
    try {
      return claimAndRun(message, key, work);
    } finally {
      inFlight.remove(key);
    }
  }

  private Result claimAndRun(ReceivedMessage message, DedupKey key, Work work) {
    Instant now = clock.instant();
    ClaimResult claim;
    try {
      claim = timed(claimTimer, () -> store.claim(key, owner, now, now.plus(config.lease())));
    } catch (RuntimeException e) {
      if (config.unavailablePolicy() == StoreUnavailablePolicy.FAIL_OPEN && !marksInWork) {
        LOG.warn("Dedup store unavailable ({}); FAIL_OPEN: handling {} unguarded", e, key);
        return runUnguarded(message, work);
      }
      LOG.warn("Dedup store unavailable ({}); FAIL_CLOSED: {} will be redelivered", e, key);
      return Result.FAILURE;
    }
    switch (claim.status()) {
      case ALREADY_CONSUMED:
        consumed.put(key, Boolean.TRUE);
        order.consumed(key);
        return Result.DUPLICATE;
      case HELD_BY_OTHER:
        busy.increment();
        LOG.debug("{} is being processed by {}; redeliver later", key, claim.holder().orElse("?"));
        return Result.FAILURE;
      default:
        break;
    }
    ScheduledFuture<?> renewal = scheduleRenewal(key);
    try {
      order.awaitPredecessor(message, key, this::isConsumed);
    } catch (InterruptedException | OrderGuard.ClosingException e) {
      renewal.cancel(false);
      // Released before the interrupt is restored: an interrupted JDBC call may fail.
      releaseQuietly(key);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return Result.FAILURE;
    }
    Instant expiresAt;
    try {
      expiresAt = clock.instant().plus(config.ttl());
      work.run(key, expiresAt);
    } catch (Exception | Error e) {
      renewal.cancel(false);
      LOG.info("Handler failed for {} ({}); released for redelivery", message, e.toString());
      releaseQuietly(key);
      if (e instanceof Error && !(e instanceof AssertionError)) {
        throw (Error) e;
      }
      return Result.FAILURE;
    }
    renewal.cancel(false);
    if (!marksInWork) {
      markAfterSuccess(key, expiresAt);
    }
    consumed.put(key, Boolean.TRUE);
    order.consumed(key);
    return Result.SUCCESS;
  }

  /** Whether a key is CONSUMED and live: the cache, else the store; a failing store says no. */
  private boolean isConsumed(DedupKey key) {
    if (consumed.getIfPresent(key) != null) {
      return true;
    }
    try {
      Instant now = clock.instant();
      boolean live =
          store
              .find(key)
              .filter(r -> r.state() == DedupState.CONSUMED)
              .flatMap(DedupRecord::expiresAt)
              .filter(now::isBefore)
              .isPresent();
      if (live) {
        consumed.put(key, Boolean.TRUE);
      }
      return live;
    } catch (RuntimeException e) {
      LOG.debug("Cannot read the dedup record of {}: {}", key, e.toString());
      return false;
    }
  }

  private void markAfterSuccess(DedupKey key, Instant expiresAt) {
    try {
      timed(markTimer, () -> store.markConsumed(key, owner, expiresAt));
    } catch (RuntimeException e) {
      // The effect is done: acknowledging is right (see the class comment).
      LOG.warn(
          "Dedup store could not mark {} consumed ({}); acknowledging anyway, a duplicate after"
              + " the lease ends would be processed again",
          key,
          e.toString());
    }
  }

  private Result runUnguarded(ReceivedMessage message, Work work) {
    try {
      work.run(null, clock.instant().plus(config.ttl()));
      return Result.SUCCESS;
    } catch (Exception e) {
      LOG.info("Handler failed for {} ({}); redelivery", message, e.toString());
      return Result.FAILURE;
    }
  }

  private ScheduledFuture<?> scheduleRenewal(DedupKey key) {
    long every = config.leaseRenewInterval().toMillis();
    return scheduler.scheduleAtFixedRate(
        () -> {
          try {
            if (!store.extendLease(key, owner, clock.instant().plus(config.lease()))) {
              LOG.warn("Lease on {} was lost while its handler runs", key);
            }
          } catch (RuntimeException e) {
            LOG.warn("Cannot extend the lease on {}: {}", key, e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  private void releaseQuietly(DedupKey key) {
    try {
      store.release(key, owner);
    } catch (RuntimeException e) {
      // The lease runs out on its own; this owner's next claim re-enters it.
      LOG.warn("Cannot release {} after a failure: {}", key, e.toString());
    }
  }

  /**
   * Starts purging expired records every {@link DedupConfig#purgeInterval()} on a daemon thread of
   * the guard's own ({@code reliablemq-dedup-purge-<group>}), never on the renewal scheduler. Does
   * nothing when dedup is off, when purging already started, or after {@link #close}.
   */
  public void startPurging() {
    if (store == null) {
      return;
    }
    synchronized (purgeLock) {
      if (purger != null || closed) {
        return;
      }
      ScheduledThreadPoolExecutor p =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "reliablemq-dedup-purge-" + scope);
                t.setDaemon(true);
                return t;
              });
      long every = config.purgeInterval().toMillis();
      p.scheduleWithFixedDelay(this::purge, every, every, TimeUnit.MILLISECONDS);
      purger = p;
    }
  }

  /**
   * Stops the purge thread; a purge in progress is interrupted and stops after its current batch.
   * Renewals are the scheduler owner's to stop. Idempotent.
   */
  @Override
  public void close() {
    order.close();
    synchronized (purgeLock) {
      closed = true;
      if (purger != null) {
        purger.shutdownNow();
      }
    }
  }

  /**
   * Deletes expired records; run periodically by the purge thread ({@link #startPurging}).
   *
   * @return how many were deleted, or -1 when the store failed
   */
  public int purge() {
    if (store == null) {
      return 0;
    }
    try {
      return store.purgeExpired(clock.instant());
    } catch (RuntimeException e) {
      LOG.warn("Dedup purge failed: {}", e.toString());
      return -1;
    }
  }

  /**
   * Counts so far.
   *
   * @param deliveries the deliveries the caller counted
   * @return the stats
   */
  public ConsumerStats stats(long deliveries) {
    return new ConsumerStats(
        deliveries, handled.sum(), failed.sum(), duplicates.sum(), busy.sum(), l1Hits.sum());
  }

  /**
   * This instance's owner id.
   *
   * @return the owner
   */
  public String owner() {
    return owner;
  }

  private static <T> T timed(Timer timer, Supplier<T> call) {
    if (timer == null) {
      return call.get();
    }
    long start = System.nanoTime();
    try {
      return call.get();
    } finally {
      timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /**
   * Ends the order guard's waits now: held messages answer FAILURE (not acknowledged, redelivered)
   * instead of holding consumption threads that a closing client waits for. Idempotent.
   */
  public void stopWaiting() {
    order.close();
  }

  /**
   * The order guard, for tests.
   *
   * @return the order guard
   */
  OrderGuard order() {
    return order;
  }

  /**
   * The lease length, for the consumer's docs and tests.
   *
   * @return the lease
   */
  Duration lease() {
    return config.lease();
  }
}
