package io.reliablemq.consumer.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.message.ReliableMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer half of the order guard: holds a FIFO message whose producer stamped it with its
 * predecessor ({@value ReliableMessage#PREVIOUS_ID_PROPERTY}) until that predecessor is CONSUMED in
 * this consumer group's dedup records, for at most a configured time.
 *
 * <p>Why: the proxy picks a FIFO message's queue by hashing its group over the write queues of all
 * broker groups. When a broker group dies (or comes back), the route changes and a group moves to
 * another queue; older messages of the group that the dead broker had stored but not delivered
 * arrive only when it returns, after newer ones were consumed from the new queue. RocketMQ cannot
 * see this; the SDK owns both ends and can.
 *
 * <p>Where: on the consumption thread, after the message's own claim succeeded (so a duplicate is
 * answered without waiting, and the claim's lease renewal, which the caller already runs, keeps
 * other instances off the message) and before its handler. Waiting in-process rather than answering
 * FAILURE matters: the push consumer redelivers a failed FIFO message locally and counts every
 * failure towards the group's maximum delivery attempts, after which the message goes to the DLQ;
 * the broker keeps the message invisible meanwhile (the push consumer receives with {@code
 * auto_renew}). The predecessor is on another queue (that is why it is late), so another
 * consumption thread processes it and its success wakes this one; a predecessor processed by
 * another instance is seen by polling the store with a small backoff.
 *
 * <p>The maximum counts from the message's birth (its send), so that a queue holding messages of
 * many moved groups stalls about the maximum once, not once per group. After it the message is
 * processed anyway: the gap is counted ({@code reliablemq.consume.order.gaps}) and logged once,
 * without the body.
 */
final class OrderGuard {
  private static final Logger LOG = LoggerFactory.getLogger(OrderGuard.class);
  private static final long FIRST_POLL_MILLIS = 10;
  private static final long MAX_POLL_MILLIS = 500;

  private final Duration maxWait;
  private final Clock clock;
  private final Predicate<String> guardedTopic;
  // Predecessor key -> completed when this instance marked it CONSUMED.
  private final Map<DedupKey, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final LongAdder held = new LongAdder();
  private final LongAdder gaps = new LongAdder();
  private final Timer waitTimer;
  private final Counter gapCounter;
  private volatile boolean closed;

  /** Why a wait ended without its predecessor and without the maximum: the consumer closes. */
  static final class ClosingException extends Exception {
    private static final long serialVersionUID = 1L;

    ClosingException() {
      super("consumer closing", null, false, false);
    }
  }

  /**
   * Creates a guard.
   *
   * @param maxWait the longest wait; zero turns the guard off
   * @param clock the clock of the wait's deadline
   * @param guardedTopic whether a topic's messages are guarded (false for a tag-filtered one)
   * @param scope the consumer group, the meters' tag
   * @param registry where meters go, or null
   */
  OrderGuard(
      Duration maxWait,
      Clock clock,
      Predicate<String> guardedTopic,
      String scope,
      MeterRegistry registry) {
    this.maxWait = maxWait;
    this.clock = clock;
    this.guardedTopic = guardedTopic;
    if (registry != null && !maxWait.isZero()) {
      // Created once here, never per message.
      this.waitTimer =
          Timer.builder("reliablemq.consume.order.wait")
              .description("How long FIFO messages were held for their predecessor")
              .tag("group", scope)
              .register(registry);
      this.gapCounter =
          Counter.builder("reliablemq.consume.order.gaps")
              .description(
                  "FIFO messages processed without their predecessor after the order guard's"
                      + " maximum wait")
              .tag("group", scope)
              .register(registry);
      Gauge.builder("reliablemq.consume.order.waiting", waiting, AtomicInteger::get)
          .description("FIFO messages held for their predecessor now")
          .tag("group", scope)
          .register(registry);
    } else {
      this.waitTimer = null;
      this.gapCounter = null;
    }
  }

  /**
   * Returns once the message's predecessor is CONSUMED or the maximum wait passed; at once when the
   * message is not guarded (no group, no stamp, not keyed by its id, a filtered topic, guard off).
   *
   * @param message the message about to be handled
   * @param key the message's own dedup key
   * @param consumed whether a key is CONSUMED (cache, then store)
   * @throws InterruptedException when the consumption thread is interrupted
   * @throws ClosingException when the consumer closes meanwhile
   */
  void awaitPredecessor(ReceivedMessage message, DedupKey key, Predicate<DedupKey> consumed)
      throws InterruptedException, ClosingException {
    DedupKey previous = predecessorOf(message, key);
    if (previous == null || consumed.test(previous)) {
      return;
    }
    Instant now = clock.instant();
    // Counted from the message's birth, not from its turn: a FIFO queue handles one message at a
    // time, so messages of many moved groups queued behind each other would otherwise each wait
    // the whole maximum in turn. A birth time ahead of this clock (skew) counts as now.
    Instant born = message.bornAt();
    Instant deadline = (born.isAfter(now) ? now : born).plus(maxWait);
    if (!deadline.isAfter(now)) {
      gap(message, previous);
      return;
    }
    held.increment();
    waiting.incrementAndGet();
    long start = System.nanoTime();
    CompletableFuture<Void> signal =
        waiters.computeIfAbsent(previous, k -> new CompletableFuture<>());
    try {
      long poll = FIRST_POLL_MILLIS;
      while (true) {
        // Checked after registering the signal, so a mark between check and wait is not missed.
        if (closed) {
          throw new ClosingException();
        }
        if (signal.isDone() || consumed.test(previous)) {
          return;
        }
        long left = Duration.between(clock.instant(), deadline).toMillis();
        if (left <= 0) {
          gap(message, previous);
          return;
        }
        try {
          signal.get(Math.min(poll, left), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | CancellationException e) {
          // Poll again: another instance may have processed it.
        }
        poll = Math.min(poll * 2, MAX_POLL_MILLIS);
      }
    } finally {
      waiters.remove(previous, signal);
      waiting.decrementAndGet();
      if (waitTimer != null) {
        waitTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** The predecessor's key when the message is guarded, else null. */
  private DedupKey predecessorOf(ReceivedMessage message, DedupKey key) {
    if (maxWait.isZero() || message.messageGroup().isEmpty()) {
      return null;
    }
    String previous = message.properties().get(ReliableMessage.PREVIOUS_ID_PROPERTY);
    if (previous == null
        || previous.isEmpty()
        || previous.length() > DedupKey.MAX_LENGTH
        || previous.equals(key.key())
        // The predecessor is known by its id only: with a business key its record is not findable.
        || !key.key().equals(message.reliableId().orElse(null))
        || !guardedTopic.test(message.topic())) {
      return null;
    }
    return new DedupKey(key.scope(), previous);
  }

  private void gap(ReceivedMessage message, DedupKey previous) {
    gaps.increment();
    if (gapCounter != null) {
      gapCounter.increment();
    }
    LOG.warn(
        "FIFO message {} of topic {}, group {}: its predecessor {} was not processed within {};"
            + " processing it anyway (the group may be out of order)",
        message.reliableId().orElse(message.messageId()),
        message.topic(),
        message.messageGroup().orElse(""),
        previous.key(),
        maxWait);
  }

  /**
   * Wakes the messages waiting for a key this instance just marked CONSUMED.
   *
   * @param key the key
   */
  void consumed(DedupKey key) {
    if (waiters.isEmpty()) {
      return;
    }
    CompletableFuture<Void> signal = waiters.remove(key);
    if (signal != null) {
      signal.complete(null);
    }
  }

  /** Ends every wait: the consumer closes, held messages are redelivered (not acknowledged). */
  void close() {
    closed = true;
    waiters.values().forEach(f -> f.cancel(false));
  }

  /**
   * Messages held so far.
   *
   * @return the count
   */
  long held() {
    return held.sum();
  }

  /**
   * Messages processed after the maximum wait without their predecessor.
   *
   * @return the count
   */
  long gaps() {
    return gaps.sum();
  }

  /**
   * Messages held now.
   *
   * @return the count
   */
  int waiting() {
    return waiting.get();
  }
}
