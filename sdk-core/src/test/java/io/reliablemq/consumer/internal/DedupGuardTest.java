package io.reliablemq.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.DedupKeyExtractor;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.StoreUnavailablePolicy;
import io.reliablemq.consumer.internal.DedupGuard.Result;
import io.reliablemq.dedup.ClaimResult;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupRecord;
import io.reliablemq.dedup.DedupState;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.DedupStoreException;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedup state machine with an injected clock, over the real H2 store. */
class DedupGuardTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String GROUP = "orders-consumer";

  @TempDir Path tmp;
  private final MutableClock clock = new MutableClock(T0);
  private JdbcDedupStore store;
  private ScheduledExecutorService scheduler;
  private final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void setUp() {
    store = JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp).build());
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
    store.close();
  }

  private DedupConfig.Builder config(DedupStore s) {
    return DedupConfig.custom(s)
        .lease(Duration.ofSeconds(60))
        .leaseRenewInterval(Duration.ofSeconds(20))
        .ttl(Duration.ofHours(24))
        .clock(clock)
        .ticker(clock.ticker());
  }

  private DedupGuard guard(String owner) {
    return guard(owner, config(store).build(), null);
  }

  private DedupGuard guard(String owner, DedupConfig cfg, SimpleMeterRegistry registry) {
    return new DedupGuard(cfg, GROUP, owner, false, scheduler, registry);
  }

  private static ReceivedMessage message(String reliableId) {
    return ReceivedMessage.builder("orders", "msg-" + reliableId)
        .body("body")
        .properties(Map.of(ReliableMessage.ID_PROPERTY, reliableId))
        .build();
  }

  private DedupRecord record(String id) {
    return store.find(new DedupKey(GROUP, id)).orElseThrow();
  }

  private final DedupGuard.Work counting = (k, e) -> calls.incrementAndGet();

  @Test
  void consume_runsHandlerAndMarksConsumed_whenKeyIsAbsent() {
    Result r = guard("a").process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.SUCCESS);
    assertThat(calls).hasValue(1);
    DedupRecord rec = record("id-1");
    assertThat(rec.state()).isEqualTo(DedupState.CONSUMED);
    assertThat(rec.expiresAt()).contains(T0.plus(Duration.ofHours(24)));
  }

  @Test
  void consume_skipsHandler_whenAlreadyConsumed_fromTheCache() {
    DedupGuard g = guard("a");
    g.process(message("id-1"), counting);

    Result r = g.process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.DUPLICATE);
    assertThat(calls).hasValue(1);
    assertThat(g.stats(2).l1Hits()).isEqualTo(1);
  }

  @Test
  void consume_skipsHandler_whenTheStoreSaysConsumed_toAnotherInstance() {
    guard("a").process(message("id-1"), counting);

    Result r = guard("b").process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.DUPLICATE);
    assertThat(calls).hasValue(1);
  }

  @Test
  void consume_fails_whileAnotherLiveOwnerIsProcessing() {
    store.claim(new DedupKey(GROUP, "id-1"), "a", T0, T0.plusSeconds(60));
    clock.advance(Duration.ofSeconds(59));

    Result r = guard("b").process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.FAILURE);
    assertThat(calls).hasValue(0);
    assertThat(record("id-1").owner()).isEqualTo("a");
  }

  @Test
  void consume_takesOver_whenTheOtherOwnersLeaseExpired() {
    store.claim(new DedupKey(GROUP, "id-1"), "a", T0, T0.plusSeconds(60));
    clock.advance(Duration.ofSeconds(60));

    Result r = guard("b").process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.SUCCESS);
    assertThat(calls).hasValue(1);
    assertThat(record("id-1").owner()).isEqualTo("b");
    assertThat(record("id-1").state()).isEqualTo(DedupState.CONSUMED);
  }

  @Test
  void consume_releasesTheKey_whenTheHandlerFails() {
    Result r =
        guard("a")
            .process(
                message("id-1"),
                (k, e) -> {
                  throw new IllegalStateException("db down");
                });

    assertThat(r).isEqualTo(Result.FAILURE);
    assertThat(store.find(new DedupKey(GROUP, "id-1"))).isEmpty();
  }

  @Test
  void handlerFailingTwiceThenSucceeding_isProcessedOnce_andLaterDuplicatesSkip() {
    DedupGuard g = guard("a");
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger effects = new AtomicInteger();
    DedupGuard.Work flaky =
        (k, e) -> {
          if (attempts.incrementAndGet() <= 2) {
            throw new IllegalStateException("transient");
          }
          effects.incrementAndGet();
        };

    List<Result> results =
        List.of(
            g.process(message("id-1"), flaky),
            g.process(message("id-1"), flaky),
            g.process(message("id-1"), flaky),
            g.process(message("id-1"), flaky));

    assertThat(results)
        .containsExactly(Result.FAILURE, Result.FAILURE, Result.SUCCESS, Result.DUPLICATE);
    assertThat(effects).hasValue(1);
  }

  @Test
  void consume_runsTheHandlerAgain_afterTheConsumedRecordExpired() {
    guard("a").process(message("id-1"), counting);
    clock.advance(Duration.ofHours(24));

    Result r = guard("b").process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.SUCCESS);
    assertThat(calls).hasValue(2);
  }

  @Test
  void cachedKeys_expireWithTheTicker_thenTheStoreAnswers() {
    DedupGuard g = guard("a", config(store).cacheTtl(Duration.ofMinutes(1)).build(), null);
    g.process(message("id-1"), counting);
    clock.advance(Duration.ofMinutes(2));

    Result r = g.process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.DUPLICATE);
    assertThat(g.stats(2).l1Hits()).isZero();
  }

  @Test
  void concurrentDeliveriesOfOneKey_runTheHandlerOnce_andFailTheOther() throws Exception {
    DedupGuard g = guard("a");
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Result> first =
          pool.submit(
              () ->
                  g.process(
                      message("id-1"),
                      (k, e) -> {
                        calls.incrementAndGet();
                        inHandler.countDown();
                        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                      }));
      assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();

      Result second = g.process(message("id-1"), counting);
      release.countDown();

      assertThat(second).isEqualTo(Result.FAILURE);
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Result.SUCCESS);
      assertThat(calls).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void longHandler_extendsItsLease_soNoOtherOwnerTakesOver() throws Exception {
    DedupConfig cfg =
        config(store)
            .lease(Duration.ofSeconds(1))
            .leaseRenewInterval(Duration.ofMillis(100))
            .build();
    DedupGuard a = guard("a", cfg, null);
    DedupKey key = new DedupKey(GROUP, "id-1");
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Result> running =
          pool.submit(
              () ->
                  a.process(
                      message("id-1"),
                      (k, e) -> {
                        inHandler.countDown();
                        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                      }));
      assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
      // Far past the original lease: only a renewal keeps it alive.
      clock.advance(Duration.ofSeconds(30));
      Instant target = clock.instant();
      await("the lease renewed past the advanced clock")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> store.find(key).orElseThrow().leaseUntil().orElseThrow().isAfter(target));

      Result other = guard("b", cfg, null).process(message("id-1"), counting);
      release.countDown();

      assertThat(other).isEqualTo(Result.FAILURE);
      assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(Result.SUCCESS);
      assertThat(calls).hasValue(0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void consume_failsClosed_whenTheStoreIsUnreachable() {
    DedupGuard g = guard("a", config(new DownStore()).build(), null);

    Result r = g.process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.FAILURE);
    assertThat(calls).hasValue(0);
  }

  @Test
  void consume_runsTheHandler_whenTheStoreIsUnreachable_andFailOpenWasChosen() {
    DedupConfig cfg =
        config(new DownStore()).unavailablePolicy(StoreUnavailablePolicy.FAIL_OPEN).build();

    Result r = guard("a", cfg, null).process(message("id-1"), counting);

    assertThat(r).isEqualTo(Result.SUCCESS);
    assertThat(calls).hasValue(1);
  }

  @Test
  void consumeTimer_countsEachResult_inAMeterRegistry() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DedupGuard g = guard("a", config(store).build(), registry);

    g.process(message("id-1"), counting);
    g.process(message("id-1"), counting);
    g.process(
        message("id-2"),
        (k, e) -> {
          throw new IllegalStateException("x");
        });

    assertThat(registry.get("reliablemq.consume").tag("result", "success").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("reliablemq.consume").tag("result", "duplicate").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("reliablemq.consume").tag("result", "failure").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("reliablemq.dedup.store").tag("op", "claim").timer().count())
        .isEqualTo(2);
    // The L1 hit ratio: Caffeine's binder,
    // cache.gets{cache=reliablemq.dedup.cache,result=hit|miss}.
    assertThat(
            registry
                .get("cache.gets")
                .tag("cache", "reliablemq.dedup.cache")
                .tag("result", "hit")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void standardKey_prefersReliableId_thenKeys_thenMessageId() {
    DedupKeyExtractor x = DedupKeyExtractor.standard();

    assertThat(x.keyOf(message("id-1"))).isEqualTo("id-1");
    assertThat(
            x.keyOf(ReceivedMessage.builder("t", "m1").keys(List.of("order-9", "buyer-2")).build()))
        .isEqualTo("keys:buyer-2,order-9");
    assertThat(x.keyOf(ReceivedMessage.builder("t", "m1").build())).isEqualTo("msgid:m1");
  }

  @Test
  void businessKeys_longerThanTheStoreAllows_areHashed() {
    DedupGuard g = guard("a", config(store).keyExtractor(m -> "x".repeat(1000)).build(), null);

    DedupKey k = g.keyOf(message("id-1"));

    assertThat(k.key()).startsWith("sha256:").hasSize(7 + 64);
    assertThat(g.process(message("id-1"), counting)).isEqualTo(Result.SUCCESS);
    assertThat(g.process(message("id-2"), counting)).isEqualTo(Result.DUPLICATE);
  }

  /** A store whose database is down. */
  private static final class DownStore implements DedupStore {
    private static DedupStoreException down() {
      return new DedupStoreException("database down", null);
    }

    @Override
    public ClaimResult claim(DedupKey key, String owner, Instant now, Instant leaseUntil) {
      throw down();
    }

    @Override
    public boolean extendLease(DedupKey key, String owner, Instant leaseUntil) {
      throw down();
    }

    @Override
    public boolean markConsumed(DedupKey key, String owner, Instant expiresAt) {
      throw down();
    }

    @Override
    public boolean release(DedupKey key, String owner) {
      throw down();
    }

    @Override
    public Optional<DedupRecord> find(DedupKey key) {
      throw down();
    }

    @Override
    public int purgeExpired(Instant now) {
      throw down();
    }

    @Override
    public void close() {}
  }
}
