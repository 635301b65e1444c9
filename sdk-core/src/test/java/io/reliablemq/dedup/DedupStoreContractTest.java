package io.reliablemq.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DedupStore} must have. A dialect's test extends this and supplies a
 * fresh, empty store; time is passed in explicitly, so no test waits.
 */
public abstract class DedupStoreContractTest {
  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  protected static final Duration LEASE = Duration.ofSeconds(60);
  protected static final Duration TTL = Duration.ofHours(24);

  protected DedupStore store;
  protected final DedupKey key = new DedupKey("group-a", "id-1");

  /**
   * A fresh, empty store.
   *
   * @return the store
   * @throws Exception when it cannot be opened
   */
  protected abstract DedupStore newStore() throws Exception;

  /**
   * The store under test over the same storage, purging at most {@code purgeBatchSize} records per
   * statement; called after {@link #store} was closed. A store that does not purge in batches
   * returns {@link #newStore()}.
   *
   * @param purgeBatchSize the batch size
   * @return the store
   * @throws Exception when it cannot be opened
   */
  protected DedupStore newStore(int purgeBatchSize) throws Exception {
    return newStore();
  }

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void claim_acquires_whenKeyIsAbsent() {
    ClaimResult r = store.claim(key, "a", T0, T0.plus(LEASE));

    assertThat(r.status()).isEqualTo(ClaimResult.Status.ACQUIRED);
    assertThat(r.owned()).isTrue();
    DedupRecord rec = store.find(key).orElseThrow();
    assertThat(rec.state()).isEqualTo(DedupState.PROCESSING);
    assertThat(rec.owner()).isEqualTo("a");
    assertThat(rec.leaseUntil()).contains(T0.plus(LEASE));
  }

  @Test
  void claim_answersHeldByOther_whileAnotherOwnersLeaseIsLive() {
    store.claim(key, "a", T0, T0.plus(LEASE));

    ClaimResult r = store.claim(key, "b", T0.plusSeconds(59), T0.plusSeconds(119));

    assertThat(r.status()).isEqualTo(ClaimResult.Status.HELD_BY_OTHER);
    assertThat(r.holder()).contains("a");
    assertThat(r.until()).contains(T0.plus(LEASE));
    assertThat(store.find(key).orElseThrow().owner()).isEqualTo("a");
  }

  @Test
  void claim_takesOver_whenTheLeaseHasExpired() {
    store.claim(key, "a", T0, T0.plus(LEASE));

    ClaimResult r = store.claim(key, "b", T0.plus(LEASE), T0.plus(LEASE).plus(LEASE));

    assertThat(r.status()).isEqualTo(ClaimResult.Status.TAKEN_OVER);
    assertThat(store.find(key).orElseThrow().owner()).isEqualTo("b");
    assertThat(store.extendLease(key, "a", T0.plusSeconds(500))).isFalse();
  }

  @Test
  void claim_reenters_whenTheSameOwnerClaimsAgain() {
    store.claim(key, "a", T0, T0.plus(LEASE));

    ClaimResult r = store.claim(key, "a", T0.plusSeconds(10), T0.plusSeconds(70));

    assertThat(r.status()).isEqualTo(ClaimResult.Status.REENTERED);
    assertThat(store.find(key).orElseThrow().leaseUntil()).contains(T0.plusSeconds(70));
  }

  @Test
  void claim_answersAlreadyConsumed_untilTheRecordExpires() {
    store.claim(key, "a", T0, T0.plus(LEASE));
    assertThat(store.markConsumed(key, "a", T0.plus(TTL))).isTrue();

    ClaimResult dup = store.claim(key, "b", T0.plus(TTL).minusMillis(1), T0.plus(TTL));
    ClaimResult after = store.claim(key, "b", T0.plus(TTL), T0.plus(TTL).plus(LEASE));

    assertThat(dup.status()).isEqualTo(ClaimResult.Status.ALREADY_CONSUMED);
    assertThat(dup.until()).contains(T0.plus(TTL));
    assertThat(after.status()).isEqualTo(ClaimResult.Status.ACQUIRED);
    assertThat(store.find(key).orElseThrow().state()).isEqualTo(DedupState.PROCESSING);
  }

  @Test
  void release_makesTheKeyAbsent_onlyForItsOwner() {
    store.claim(key, "a", T0, T0.plus(LEASE));

    assertThat(store.release(key, "b")).isFalse();
    assertThat(store.release(key, "a")).isTrue();

    assertThat(store.find(key)).isEmpty();
    assertThat(store.claim(key, "b", T0, T0.plus(LEASE)).status())
        .isEqualTo(ClaimResult.Status.ACQUIRED);
  }

  @Test
  void extendLease_movesTheLeaseEnd_forTheOwnerOnly() {
    store.claim(key, "a", T0, T0.plus(LEASE));

    assertThat(store.extendLease(key, "a", T0.plusSeconds(300))).isTrue();
    assertThat(store.extendLease(key, "b", T0.plusSeconds(900))).isFalse();

    assertThat(store.find(key).orElseThrow().leaseUntil()).contains(T0.plusSeconds(300));
    assertThat(store.claim(key, "b", T0.plusSeconds(200), T0.plusSeconds(260)).status())
        .isEqualTo(ClaimResult.Status.HELD_BY_OTHER);
  }

  @Test
  void markConsumed_returnsFalse_whenAnotherOwnerTookTheKeyOver() {
    store.claim(key, "a", T0, T0.plus(LEASE));
    store.claim(key, "b", T0.plus(LEASE), T0.plus(LEASE).plus(LEASE));

    assertThat(store.markConsumed(key, "a", T0.plus(TTL))).isFalse();
    assertThat(store.find(key).orElseThrow().owner()).isEqualTo("b");
  }

  @Test
  void markConsumed_recordsTheKey_whenTheRecordVanished() {
    // e.g. the claim was purged after its lease ended while the handler still ran
    assertThat(store.markConsumed(key, "a", T0.plus(TTL))).isTrue();

    assertThat(store.find(key).orElseThrow().state()).isEqualTo(DedupState.CONSUMED);
  }

  @Test
  void keys_areScopedByConsumerGroup() {
    store.claim(key, "a", T0, T0.plus(LEASE));
    store.markConsumed(key, "a", T0.plus(TTL));

    ClaimResult other = store.claim(new DedupKey("group-b", key.key()), "b", T0, T0.plus(LEASE));

    assertThat(other.status()).isEqualTo(ClaimResult.Status.ACQUIRED);
  }

  @Test
  void purgeExpired_deletesExpiredConsumedAndExpiredLeases_only() {
    DedupKey live = new DedupKey("g", "live");
    DedupKey expiredConsumed = new DedupKey("g", "expired-consumed");
    DedupKey expiredLease = new DedupKey("g", "expired-lease");
    DedupKey liveConsumed = new DedupKey("g", "live-consumed");
    store.claim(live, "a", T0, T0.plusSeconds(1000));
    store.claim(expiredConsumed, "a", T0, T0.plus(LEASE));
    store.markConsumed(expiredConsumed, "a", T0.plusSeconds(100));
    store.claim(expiredLease, "a", T0, T0.plusSeconds(100));
    store.claim(liveConsumed, "a", T0, T0.plus(LEASE));
    store.markConsumed(liveConsumed, "a", T0.plusSeconds(1000));

    int purged = store.purgeExpired(T0.plusSeconds(100));

    assertThat(purged).isEqualTo(2);
    assertThat(store.find(live)).isPresent();
    assertThat(store.find(liveConsumed)).isPresent();
    assertThat(store.find(expiredConsumed)).isEmpty();
    assertThat(store.find(expiredLease)).isEmpty();
  }

  @Test
  void purgeExpired_inBatchesSmallerThanTheBacklog_deletesEveryExpiredRecord_andNoLiveOne()
      throws Exception {
    store.close();
    store = newStore(3);
    Instant ended = T0.plusSeconds(100);
    // 9 expired marks (three full batches, then an empty one) and 7 expired leases (3, 3, 1).
    for (int i = 0; i < 9; i++) {
      DedupKey k = new DedupKey("g", "consumed-" + i);
      store.claim(k, "a", T0, ended);
      store.markConsumed(k, "a", ended);
    }
    for (int i = 0; i < 7; i++) {
      store.claim(new DedupKey("g", "leased-" + i), "a", T0, ended);
    }
    DedupKey live = new DedupKey("g", "live");
    DedupKey liveConsumed = new DedupKey("g", "live-consumed");
    store.claim(live, "a", T0, T0.plusSeconds(1000));
    store.claim(liveConsumed, "a", T0, ended);
    store.markConsumed(liveConsumed, "a", T0.plusSeconds(1000));

    int purged = store.purgeExpired(ended);

    assertThat(purged).isEqualTo(16);
    for (int i = 0; i < 9; i++) {
      assertThat(store.find(new DedupKey("g", "consumed-" + i))).isEmpty();
    }
    for (int i = 0; i < 7; i++) {
      assertThat(store.find(new DedupKey("g", "leased-" + i))).isEmpty();
    }
    assertThat(store.find(live)).isPresent();
    assertThat(store.find(liveConsumed)).isPresent();
    assertThat(store.purgeExpired(ended)).isZero();
  }

  @Test
  void claim_givesOwnershipToExactlyOne_ofManyConcurrentClaimers() throws Exception {
    int claimers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(claimers);
    try {
      for (int round = 0; round < 20; round++) {
        DedupKey k = new DedupKey("g", "race-" + round);
        List<Callable<ClaimResult>> calls = new ArrayList<>();
        for (int i = 0; i < claimers; i++) {
          String owner = "o" + i;
          calls.add(() -> store.claim(k, owner, T0, T0.plus(LEASE)));
        }
        int owned = 0;
        for (Future<ClaimResult> f : pool.invokeAll(calls)) {
          if (f.get().owned()) {
            owned++;
          } else {
            assertThat(f.get().status()).isEqualTo(ClaimResult.Status.HELD_BY_OTHER);
          }
        }
        assertThat(owned).as("owners of %s", k).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void concurrentClaimsAndMarks_answerEachCallerAlone_whenRacingAndFreshKeysMix() throws Exception {
    // Many threads at once, so writes share transactions in a store that batches them: a racing
    // insert must not cost the fresh keys beside it their claims or marks.
    int threads = 8;
    int keys = 40;
    Map<String, AtomicInteger> owners = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Void>> calls = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String owner = "o" + t;
        calls.add(
            () -> {
              for (int i = 0; i < keys; i++) {
                DedupKey fresh = new DedupKey("g", "fresh-" + owner + "-" + i);
                assertThat(store.claim(fresh, owner, T0, T0.plus(LEASE)).status())
                    .isEqualTo(ClaimResult.Status.ACQUIRED);
                assertThat(store.markConsumed(fresh, owner, T0.plus(TTL))).isTrue();
                DedupKey shared = new DedupKey("g", "shared-" + i);
                ClaimResult r = store.claim(shared, owner, T0, T0.plus(LEASE));
                if (r.owned()) {
                  owners.computeIfAbsent(shared.key(), k -> new AtomicInteger()).incrementAndGet();
                  assertThat(store.markConsumed(shared, owner, T0.plus(TTL))).isTrue();
                } else {
                  assertThat(r.status())
                      .isIn(ClaimResult.Status.HELD_BY_OTHER, ClaimResult.Status.ALREADY_CONSUMED);
                }
              }
              return null;
            });
      }
      for (Future<Void> f : pool.invokeAll(calls)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(owners).hasSize(keys);
    assertThat(owners.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    for (int i = 0; i < keys; i++) {
      assertThat(store.find(new DedupKey("g", "shared-" + i)).orElseThrow().state())
          .isEqualTo(DedupState.CONSUMED);
      for (int t = 0; t < threads; t++) {
        assertThat(store.find(new DedupKey("g", "fresh-o" + t + "-" + i)).orElseThrow().state())
            .isEqualTo(DedupState.CONSUMED);
      }
    }
  }

  @Test
  void operations_throwDedupStoreException_afterClose() {
    store.close();

    assertThatThrownBy(() -> store.claim(key, "a", T0, T0.plus(LEASE)))
        .isInstanceOf(DedupStoreException.class)
        .hasMessageContaining("closed");
  }
}
