package io.reliablemq.producer.internal;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ExceptionClassifier;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a {@link FallbackStore} into the broker on one background thread.
 *
 * <p>Each round claims the oldest pending entries under a lease and sends them with up to {@link
 * #WINDOW} entries (and {@link #WINDOW_BYTES} body bytes) in flight, but never two of one message
 * group at once, so groups keep their order. An entry is deleted only after the broker acknowledged
 * it. A non-retryable answer parks the entry (kept, counted, never deleted silently) and stops its
 * group for the round; a retryable one records the failure, stops the round and backs off
 * exponentially, since the broker is unreachable again. Throttling halves the replay rate. {@link
 * #stop()} stops between entries and waits for the ones in flight.
 *
 * <p>Only an entry actually sent records its failure (an attempt and its error). The entries a
 * round claimed but never tried, because the round stopped or their group did, are released
 * untouched in one store transaction at the end of the round: their attempts and last error stay
 * what the broker last said about them, not one failure copied onto a thousand entries.
 *
 * <p>A parked entry blocks its message group: the store never hands out a later entry of the group
 * while an earlier one is parked, so the group's order holds and the group waits until an operator
 * unparks the entry (after fixing the cause) or deletes it. Health and the endpoint name such
 * groups ({@link FallbackStore#blockedGroups}).
 */
final class Replayer {
  private static final Logger log = LoggerFactory.getLogger(Replayer.class);
  // A window of 128 kept the drain at 0.25-0.36 of the raw client's sendAsync with a window of 1024
  // (B5): on a loaded broker the sends wait, not the replayer. The byte cap keeps large bodies from
  // multiplying: each entry in flight holds its body in the client's message too.
  static final int WINDOW = 1024;

  /** Body bytes in flight at most, unless a single entry is larger. */
  static final long WINDOW_BYTES = 16L * 1024 * 1024;

  /** Acknowledged entries deleted per store transaction. */
  static final int DELETE_BATCH = 256;

  private final FallbackStore store;
  private final ReplayConfig config;
  private final Function<StoredEntry, CompletableFuture<?>> sender;
  private final String owner;
  private final TokenBucket bucket;
  private final BiFunction<String, Throwable, ErrorKind> classifier;
  private final Runnable onAcknowledged;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeUp = lock.newCondition();
  private final List<String> acknowledged = new ArrayList<>();
  private final List<String> untried = new ArrayList<>();
  // Runs the next claim and the deletes of a round while its sends are in flight; one thread, so a
  // delete and a claim never overtake each other.
  private final java.util.concurrent.ExecutorService storeThread;
  private CompletableFuture<Void> lastDelete = CompletableFuture.completedFuture(null);
  private volatile RuntimeException deleteFailure;
  // Touched only by the replayer thread.
  private long inFlightBytes;
  private int roundAcknowledged;
  private int roundFailed;
  private String roundError;
  private volatile boolean running;
  private volatile boolean backingOff;
  private boolean wakeRequested;
  private boolean forceRequested;
  private Thread thread;

  Replayer(
      FallbackStore store,
      ReplayConfig config,
      Function<StoredEntry, CompletableFuture<?>> sender,
      String owner) {
    this(
        store,
        config,
        sender,
        owner,
        (topic, error) -> ExceptionClassifier.classify(error),
        () -> {});
  }

  /**
   * A replayer whose errors are classified by the producer, which knows the topics it has seen
   * served (their "topic not found" is retried, not parked), and that reports each acknowledged
   * entry, so that the producer's circuit learns the broker is back even when the application sends
   * nothing.
   */
  Replayer(
      FallbackStore store,
      ReplayConfig config,
      Function<StoredEntry, CompletableFuture<?>> sender,
      String owner,
      BiFunction<String, Throwable, ErrorKind> classifier,
      Runnable onAcknowledged) {
    this.classifier = classifier;
    this.onAcknowledged = onAcknowledged;
    this.storeThread =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "reliablemq-replayer-store-" + owner);
              t.setDaemon(true);
              return t;
            });
    this.store = store;
    this.config = config;
    this.sender = sender;
    this.owner = owner;
    this.bucket = new TokenBucket(config.maxRatePerSecond());
  }

  /**
   * The owner id a replayer claims under: derived from the configured instance id, so that a
   * restarted instance recognises its own leases, else random per start.
   */
  static String ownerId(String prefix, ReplayConfig config) {
    return prefix + config.instanceId().orElseGet(() -> java.util.UUID.randomUUID().toString());
  }

  /** Whether the replayer waits out a backoff because the broker was unreachable. */
  boolean backingOff() {
    return backingOff;
  }

  synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "reliablemq-replayer-" + owner);
    thread.setDaemon(true);
    thread.start();
  }

  /** Wakes an idle replayer (new entries); a replayer backing off stays in its backoff. */
  void wake() {
    signal(false);
  }

  /** Wakes the replayer now, even out of a backoff (an operator's "replay now"). */
  void replayNow() {
    signal(true);
  }

  private void signal(boolean force) {
    lock.lock();
    try {
      wakeRequested = true;
      forceRequested |= force;
      wakeUp.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops between entries, waits for those in flight, and joins the thread. */
  void stop(Duration timeout) {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    replayNow();
    if (t != null) {
      try {
        t.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // The round waits for its deletes, so after the join nothing is queued; a round still running
    // (join timed out) finds the executor shut and deletes on its own thread.
    storeThread.shutdown();
  }

  private void loop() {
    if (config.instanceId().isPresent()) {
      try {
        int n = store.releaseOwner(owner);
        if (n > 0) {
          log.info("Released {} leases held by this instance's previous process ({})", n, owner);
        }
      } catch (RuntimeException e) {
        log.warn("Cannot release the leases of {}: {}", owner, e.toString());
      }
    }
    long backoffMillis = config.initialBackoff().toMillis();
    while (running) {
      Round round;
      try {
        List<StoredEntry> batch = store.claim(owner, config.batchSize(), config.lease());
        if (batch.isEmpty()) {
          await(config.idlePoll().toMillis(), false);
          continue;
        }
        long roundStart = System.nanoTime();
        round = replay(batch);
        if (round == Round.DONE && log.isDebugEnabled()) {
          log.debug(
              "Replay round done: {} acknowledged in {} ms",
              roundAcknowledged,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("Replay round failed on the store: {}", e.toString());
        round = Round.UNREACHABLE;
      }
      if (round == Round.UNREACHABLE) {
        if (log.isDebugEnabled()) {
          log.debug(
              "Replay round ended unreachable: {} acknowledged, {} failed ({}); backing off {} ms",
              roundAcknowledged,
              roundFailed,
              roundError,
              backoffMillis);
        }
        backingOff = true;
        try {
          await(backoffMillis, true);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } finally {
          backingOff = false;
        }
        backoffMillis = Math.min(config.maxBackoff().toMillis(), backoffMillis * 2);
      } else {
        backoffMillis = config.initialBackoff().toMillis();
      }
    }
  }

  /** Waits for the timeout or a wake-up; in a backoff only a forced wake-up counts. */
  private void await(long millis, boolean backingOff) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    lock.lock();
    try {
      while (running) {
        if (forceRequested || (!backingOff && wakeRequested)) {
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        wakeUp.awaitNanos(left);
      }
      wakeRequested = false;
      forceRequested = false;
    } finally {
      lock.unlock();
    }
  }

  private enum Round {
    DONE,
    UNREACHABLE
  }

  private static final class InFlight {
    final StoredEntry entry;
    final String lane;
    final CompletableFuture<?> future;
    final long bytes;

    InFlight(StoredEntry entry, String lane, CompletableFuture<?> future) {
      this.entry = entry;
      this.lane = lane;
      this.future = future;
      this.bytes = entry.message().bodyLength();
    }
  }

  /**
   * One round: the claimed batch, then every batch claimed while it was in flight, until a claim
   * comes back empty, the broker fails or the replayer stops. The next claim runs on the store
   * thread while the current batch is sent, and acknowledged entries are deleted there too, so
   * neither store round trip holds the sends back (B5 drained at 0.55 of the raw client's rate
   * while each round waited for its deletes and the next claim). The lanes span the batches: a
   * later batch may hold later entries of a group whose earlier entry is still in flight (the store
   * hands them to the same owner), and they wait for it as within one batch.
   */
  private Round replay(List<StoredEntry> first) throws InterruptedException {
    acknowledged.clear();
    untried.clear();
    deleteFailure = null;
    roundAcknowledged = 0;
    roundFailed = 0;
    roundError = null;
    Deque<InFlight> inFlight = new ArrayDeque<>();
    Map<String, Integer> laneInFlight = new HashMap<>();
    Set<String> stoppedLanes = new HashSet<>();
    boolean[] unreachable = {false};
    inFlightBytes = 0;
    List<StoredEntry> batch = first;
    while (batch != null) {
      CompletableFuture<List<StoredEntry>> prefetch =
          running && !unreachable[0] ? prefetch() : CompletableFuture.completedFuture(List.of());
      submit(batch, inFlight, laneInFlight, stoppedLanes, unreachable);
      List<StoredEntry> next = awaitPrefetch(prefetch);
      if (!running || unreachable[0]) {
        // Claimed but never to be tried this round: released untouched below.
        next.forEach(e -> untried.add(e.id()));
        next = List.of();
      }
      batch = next.isEmpty() ? null : next;
    }
    while (!inFlight.isEmpty()) {
      settle(inFlight.poll(), laneInFlight, stoppedLanes, unreachable);
    }
    deleteAcknowledged();
    awaitDeletes();
    releaseUntried();
    RuntimeException failed = deleteFailure;
    if (failed != null) {
      // As before the pipelining: a store that cannot delete ends the round as a store failure.
      throw failed;
    }
    return unreachable[0] ? Round.UNREACHABLE : Round.DONE;
  }

  private CompletableFuture<List<StoredEntry>> prefetch() {
    try {
      return CompletableFuture.supplyAsync(
          () -> store.claim(owner, config.batchSize(), config.lease()), storeThread);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      return CompletableFuture.completedFuture(List.of());
    }
  }

  private List<StoredEntry> awaitPrefetch(CompletableFuture<List<StoredEntry>> prefetch)
      throws InterruptedException {
    try {
      return prefetch.get();
    } catch (ExecutionException e) {
      log.warn("Replay could not claim the next batch: {}", e.getCause().toString());
      return List.of();
    }
  }

  private void submit(
      List<StoredEntry> batch,
      Deque<InFlight> inFlight,
      Map<String, Integer> laneInFlight,
      Set<String> stoppedLanes,
      boolean[] unreachable)
      throws InterruptedException {
    for (StoredEntry entry : batch) {
      String lane = lane(entry);
      if (lane != null) {
        // One in flight per group: settle the earlier ones (in order) first.
        while (laneInFlight.getOrDefault(lane, 0) > 0) {
          settle(inFlight.poll(), laneInFlight, stoppedLanes, unreachable);
        }
      }
      if (!running || unreachable[0] || (lane != null && stoppedLanes.contains(lane))) {
        untried.add(entry.id());
        continue;
      }
      long bytes = entry.message().bodyLength();
      while (inFlight.size() >= WINDOW
          || (!inFlight.isEmpty() && inFlightBytes + bytes > WINDOW_BYTES)) {
        settle(inFlight.poll(), laneInFlight, stoppedLanes, unreachable);
      }
      bucket.acquire();
      CompletableFuture<?> future;
      try {
        future = sender.apply(entry);
      } catch (RuntimeException e) {
        future = CompletableFuture.failedFuture(e);
      }
      inFlight.add(new InFlight(entry, lane, future));
      inFlightBytes += bytes;
      if (lane != null) {
        laneInFlight.merge(lane, 1, Integer::sum);
      }
    }
  }

  private void settle(
      InFlight f,
      Map<String, Integer> laneInFlight,
      Set<String> stoppedLanes,
      boolean[] unreachable)
      throws InterruptedException {
    inFlightBytes -= f.bytes;
    if (f.lane != null) {
      laneInFlight.merge(f.lane, -1, Integer::sum);
    }
    try {
      f.future.get();
      // Deleted in batches: an entry acknowledged but not yet deleted when the process dies is
      // sent again after its lease expires, a duplicate that consumers drop by reliablemq_id.
      acknowledged.add(f.entry.id());
      roundAcknowledged++;
      if (acknowledged.size() >= DELETE_BATCH) {
        deleteAcknowledged();
      }
      bucket.speedUp();
      onAcknowledged.run();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      ErrorKind kind = classifier.apply(f.entry.message().topic(), cause);
      String error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
      roundFailed++;
      if (roundError == null) {
        // Class and broker message only: a client exception never carries the body.
        roundError = kind + " " + error;
      }
      if (f.lane != null) {
        stoppedLanes.add(f.lane);
      }
      if (kind == ErrorKind.NON_RETRYABLE) {
        store.park(f.entry.id(), error);
        if (f.lane != null) {
          log.warn(
              "Parked fallback entry {} of topic {}: {}; message group {} waits until it is unparked"
                  + " or deleted",
              f.entry.id(),
              f.entry.message().topic(),
              error,
              f.entry.message().messageGroup().orElse(""));
        } else {
          log.warn(
              "Parked fallback entry {} of topic {}: {}",
              f.entry.id(),
              f.entry.message().topic(),
              error);
        }
      } else {
        store.recordFailure(f.entry.id(), error);
        unreachable[0] = true;
        if (cause instanceof org.apache.rocketmq.client.java.exception.TooManyRequestsException) {
          bucket.slowDown();
        }
      }
    }
  }

  /**
   * Deletes the acknowledged entries on the store thread (in order with the claims there); the
   * round waits for every delete before it ends ({@link #awaitDeletes}).
   */
  private void deleteAcknowledged() {
    if (acknowledged.isEmpty()) {
      return;
    }
    List<String> ids = new ArrayList<>(acknowledged);
    acknowledged.clear();
    Runnable delete =
        () -> {
          try {
            store.deleteAll(ids);
          } catch (RuntimeException e) {
            // Kept: sent again after the lease expires, a duplicate consumers drop by id.
            deleteFailure = e;
          }
        };
    try {
      lastDelete = CompletableFuture.runAsync(delete, storeThread);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      delete.run();
    }
  }

  private void awaitDeletes() throws InterruptedException {
    try {
      lastDelete.get();
    } catch (ExecutionException e) {
      // The task catches its failure into deleteFailure; nothing else can fail it.
    }
  }

  /** Releases the leases of the entries this round never sent, without counting a failure. */
  private void releaseUntried() {
    if (!untried.isEmpty()) {
      store.release(owner, untried);
      untried.clear();
    }
  }

  private static String lane(StoredEntry entry) {
    return entry
        .message()
        .messageGroup()
        .map(g -> entry.message().topic() + '\u0000' + g)
        .orElse(null);
  }
}
