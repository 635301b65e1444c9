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
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeUp = lock.newCondition();
  private final List<String> acknowledged = new ArrayList<>();
  private final List<String> untried = new ArrayList<>();
  // Touched only by the replayer thread.
  private long inFlightBytes;
  private volatile boolean running;
  private boolean wakeRequested;
  private boolean forceRequested;
  private Thread thread;

  Replayer(
      FallbackStore store,
      ReplayConfig config,
      Function<StoredEntry, CompletableFuture<?>> sender,
      String owner) {
    this(store, config, sender, owner, (topic, error) -> ExceptionClassifier.classify(error));
  }

  /**
   * A replayer whose errors are classified by the producer, which knows the topics it has seen
   * served (their "topic not found" is retried, not parked).
   */
  Replayer(
      FallbackStore store,
      ReplayConfig config,
      Function<StoredEntry, CompletableFuture<?>> sender,
      String owner,
      BiFunction<String, Throwable, ErrorKind> classifier) {
    this.classifier = classifier;
    this.store = store;
    this.config = config;
    this.sender = sender;
    this.owner = owner;
    this.bucket = new TokenBucket(config.maxRatePerSecond());
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
  }

  private void loop() {
    long backoffMillis = config.initialBackoff().toMillis();
    while (running) {
      Round round;
      try {
        List<StoredEntry> batch = store.claim(owner, config.batchSize(), config.lease());
        if (batch.isEmpty()) {
          await(config.idlePoll().toMillis(), false);
          continue;
        }
        round = replay(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("Replay round failed on the store: {}", e.toString());
        round = Round.UNREACHABLE;
      }
      if (round == Round.UNREACHABLE) {
        try {
          await(backoffMillis, true);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
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

  private Round replay(List<StoredEntry> batch) throws InterruptedException {
    acknowledged.clear();
    untried.clear();
    Deque<InFlight> inFlight = new ArrayDeque<>();
    Map<String, Integer> laneInFlight = new HashMap<>();
    Set<String> stoppedLanes = new HashSet<>();
    boolean[] unreachable = {false};
    inFlightBytes = 0;
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
    while (!inFlight.isEmpty()) {
      settle(inFlight.poll(), laneInFlight, stoppedLanes, unreachable);
    }
    deleteAcknowledged();
    releaseUntried();
    return unreachable[0] ? Round.UNREACHABLE : Round.DONE;
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
      if (acknowledged.size() >= DELETE_BATCH) {
        deleteAcknowledged();
      }
      bucket.speedUp();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      ErrorKind kind = classifier.apply(f.entry.message().topic(), cause);
      String error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
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

  private void deleteAcknowledged() {
    if (!acknowledged.isEmpty()) {
      store.deleteAll(acknowledged);
      acknowledged.clear();
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
