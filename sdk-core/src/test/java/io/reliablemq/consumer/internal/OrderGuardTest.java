package io.reliablemq.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.internal.DedupGuard.Result;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer half of the order guard: a FIFO message stamped with its predecessor waits for it,
 * over the real H2 dedup store and an injected clock.
 */
class OrderGuardTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String GROUP = "orders-consumer";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private final MutableClock clock = new MutableClock(T0);
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private final DedupGuard.Work recording = (k, e) -> handled.add(k.key());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private JdbcDedupStore store;
  private ScheduledExecutorService scheduler;
  private ExecutorService consumptionThread;

  @BeforeEach
  void setUp() {
    store = JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp).build());
    scheduler = Executors.newSingleThreadScheduledExecutor();
    consumptionThread = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    consumptionThread.shutdownNow();
    consumptionThread.awaitTermination(10, TimeUnit.SECONDS);
    scheduler.shutdownNow();
    store.close();
  }

  private DedupConfig.Builder config() {
    return DedupConfig.custom(store)
        .lease(Duration.ofMinutes(5))
        .leaseRenewInterval(Duration.ofMinutes(1))
        .orderGuardWait(WAIT)
        .clock(clock)
        .ticker(clock.ticker());
  }

  private DedupGuard guard(String owner) {
    return new DedupGuard(config().build(), GROUP, owner, false, scheduler, registry);
  }

  /** Another instance of the consumer group, sharing the store (its meters are not looked at). */
  private DedupGuard other(String owner) {
    return new DedupGuard(config().build(), GROUP, owner, false, scheduler, null);
  }

  private static ReceivedMessage fifo(String id, String previous) {
    return fifo("orders", id, previous);
  }

  private static ReceivedMessage fifo(String topic, String id, String previous) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(ReliableMessage.ID_PROPERTY, id);
    if (previous != null) {
      properties.put(ReliableMessage.PREVIOUS_ID_PROPERTY, previous);
    }
    return ReceivedMessage.builder(topic, "msg-" + id)
        .body("body")
        .messageGroup("buyer-1")
        .properties(properties)
        .bornAt(T0)
        .build();
  }

  private Future<Result> processInBackground(DedupGuard g, ReceivedMessage m) {
    return consumptionThread.submit(() -> g.process(m, recording));
  }

  private static void awaitHeld(DedupGuard g) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> g.order().waiting() == 1);
  }

  private double gapsMeter() {
    return registry.get("reliablemq.consume.order.gaps").tag("group", GROUP).counter().count();
  }

  @Test
  void message_waitsForItsPredecessor_untilThisConsumerProcessedIt() throws Exception {
    DedupGuard g = guard("a");

    Future<Result> later = processInBackground(g, fifo("m", "p"));
    awaitHeld(g);
    assertThat(handled).isEmpty();
    // The predecessor arrives on another queue, on another consumption thread.
    assertThat(g.process(fifo("p", null), recording)).isEqualTo(Result.SUCCESS);

    assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(Result.SUCCESS);
    assertThat(handled).containsExactly("p", "m");
    assertThat(g.order().held()).isEqualTo(1);
    assertThat(g.order().gaps()).isZero();
    assertThat(gapsMeter()).isZero();
  }

  @Test
  void message_isReleased_whenAnotherInstanceProcessedThePredecessor() throws Exception {
    DedupGuard g = guard("a");

    Future<Result> later = processInBackground(g, fifo("m", "p"));
    awaitHeld(g);
    assertThat(other("b").process(fifo("p", null), recording)).isEqualTo(Result.SUCCESS);

    assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(Result.SUCCESS);
    assertThat(handled).containsExactly("p", "m");
    assertThat(g.order().gaps()).isZero();
  }

  @Test
  void message_isProcessedAfterTheMaximumWait_andTheGapIsCounted() throws Exception {
    DedupGuard g = guard("a");

    Future<Result> later = processInBackground(g, fifo("m", "p"));
    awaitHeld(g);
    clock.advance(WAIT.plusSeconds(1));

    assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(Result.SUCCESS);
    assertThat(handled).containsExactly("m");
    assertThat(g.order().gaps()).isEqualTo(1);
    assertThat(gapsMeter()).isEqualTo(1.0);
    assertThat(registry.get("reliablemq.consume.order.wait").tag("group", GROUP).timer().count())
        .isEqualTo(1);
  }

  @Test
  void maximumWait_countsFromTheMessagesBirth_soAQueueOfMovedGroupsStallsItOnce() throws Exception {
    DedupGuard g = guard("a");
    clock.advance(Duration.ofSeconds(20));

    // Born at T0, its turn 20 s later: it waits the 10 s left of the maximum.
    Future<Result> later = processInBackground(g, fifo("m", "p"));
    awaitHeld(g);
    clock.advance(Duration.ofSeconds(10));
    assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(Result.SUCCESS);
    // Queued behind it, born at T0 too: its maximum has passed, it does not wait at all.
    assertThat(g.process(fifo("n", "o"), recording)).isEqualTo(Result.SUCCESS);

    assertThat(handled).containsExactly("m", "n");
    assertThat(g.order().held()).isEqualTo(1);
    assertThat(g.order().gaps()).isEqualTo(2);
  }

  @Test
  void message_doesNotWait_whenThePredecessorIsDoneAlready() {
    DedupGuard g = guard("a");
    g.process(fifo("p", null), recording);

    assertThat(g.process(fifo("m", "p"), recording)).isEqualTo(Result.SUCCESS);

    assertThat(handled).containsExactly("p", "m");
    assertThat(g.order().held()).isZero();
  }

  @Test
  void message_doesNotWait_whenTheStoreAloneKnowsThePredecessorIsDone() {
    other("b").process(fifo("p", null), recording);

    assertThat(guard("a").process(fifo("m", "p"), recording)).isEqualTo(Result.SUCCESS);

    assertThat(handled).containsExactly("p", "m");
  }

  @Test
  void message_doesNotWait_withoutAKnownPredecessor() {
    DedupGuard g = guard("a");

    assertThat(g.process(fifo("m", null), recording)).isEqualTo(Result.SUCCESS);

    assertThat(handled).containsExactly("m");
    assertThat(g.order().held()).isZero();
  }

  @Test
  void guard_isOff_withAZeroWait() {
    DedupGuard g =
        new DedupGuard(
            config().orderGuardWait(Duration.ZERO).build(), GROUP, "a", false, scheduler, registry);

    assertThat(g.process(fifo("m", "p"), recording)).isEqualTo(Result.SUCCESS);

    assertThat(handled).containsExactly("m");
    assertThat(g.order().held()).isZero();
    assertThat(registry.find("reliablemq.consume.order.gaps").counter()).isNull();
  }

  @Test
  void guard_isOff_forATagFilteredTopic() {
    DedupGuard g =
        new DedupGuard(config().build(), GROUP, "a", false, scheduler, registry, "orders"::equals);

    assertThat(g.process(fifo("filtered", "m", "p"), recording)).isEqualTo(Result.SUCCESS);

    assertThat(handled).containsExactly("m");
    assertThat(g.order().held()).isZero();
  }

  @Test
  void guard_isOff_withABusinessDedupKey() {
    DedupGuard g =
        new DedupGuard(
            config().keyExtractor(m -> "order-" + m.reliableId().orElseThrow()).build(),
            GROUP,
            "a",
            false,
            scheduler,
            registry);

    assertThat(g.process(fifo("m", "p"), recording)).isEqualTo(Result.SUCCESS);

    assertThat(handled).containsExactly("order-m");
    assertThat(g.order().held()).isZero();
  }

  @Test
  void heldMessage_failsWithoutItsHandler_andIsReleased_whenTheConsumerCloses() throws Exception {
    DedupGuard g = guard("a");

    Future<Result> later = processInBackground(g, fifo("m", "p"));
    awaitHeld(g);
    g.stopWaiting();

    assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(Result.FAILURE);
    assertThat(handled).isEmpty();
    assertThat(store.find(new DedupKey(GROUP, "m"))).isEmpty();
  }

  @Test
  void duplicate_isAnsweredWithoutWaiting() {
    DedupGuard first = guard("a");
    // m was processed (after a gap, say) and is redelivered to a fresh instance.
    new DedupGuard(
            config().orderGuardWait(Duration.ZERO).build(), GROUP, "b", false, scheduler, null)
        .process(fifo("m", "p"), recording);

    assertThat(first.process(fifo("m", "p"), recording)).isEqualTo(Result.DUPLICATE);

    assertThat(first.order().held()).isZero();
  }

  @Test
  void orderGuardWait_isValidated() {
    assertThatThrownBy(() -> DedupConfig.custom(store).orderGuardWait(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("orderGuardWait");
    assertThatThrownBy(() -> DedupConfig.custom(store).orderGuardWait(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("orderGuardWait");
    assertThat(DedupConfig.ofDefaults(store).orderGuardWait()).isEqualTo(Duration.ofMinutes(3));
  }
}
