package io.reliablemq.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.internal.DedupGuard.Result;
import io.reliablemq.dedup.ClaimResult;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupRecord;
import io.reliablemq.dedup.DedupState;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.H2DedupDialect;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lease renewal and purge, wired as the consumer wires them (one renewal scheduler thread, {@link
 * DedupGuard#startPurging}), over a real H2 file store holding 100,000 expired records. The purge
 * is held in the middle by a row lock the test takes on one expired record, so "a renewal completes
 * while the purge still runs" is a condition, not a race.
 */
class DedupPurgeTest {
  private static final int EXPIRED = 100_000;
  private static final String GROUP = "orders-consumer";
  private static final Duration WAIT = Duration.ofSeconds(120);
  // Past the first purge batch (1,000 records, in key order on H2), so that batch is committed
  // when the purge stops here.
  private static final String HELD_KEY = "k001500";

  @TempDir Path tmp;
  private JdbcDataSource h2;
  private JdbcDedupStore jdbc;
  private ObservedStore store;
  private ScheduledThreadPoolExecutor renewals;
  private DedupGuard guard;
  private Connection locker;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new JdbcDataSource();
    // A lock wait longer than the test, so the held purge waits instead of timing out.
    h2.setURL("jdbc:h2:file:" + tmp.resolve("dedup") + ";LOCK_TIMEOUT=600000");
    jdbc = JdbcDedupStore.create(h2, H2DedupDialect.INSTANCE, DedupStoreConfig.ofDefaults());
    store = new ObservedStore(jdbc);
    // As ReliableConsumerImpl builds it: one thread for lease renewals.
    renewals = new ScheduledThreadPoolExecutor(1);
    renewals.setRemoveOnCancelPolicy(true);
  }

  @AfterEach
  void tearDown() throws SQLException {
    if (locker != null) {
      locker.rollback();
      locker.close();
    }
    if (guard != null) {
      guard.close();
    }
    renewals.shutdownNow();
    jdbc.close();
  }

  private void seedExpired(long expiredAt) throws SQLException {
    try (Connection c = h2.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO rmq_dedup (scope, dedup_key, state, owner, lease_until, expires_at,"
                    + " updated_at) VALUES ('old', ?, 'CONSUMED', 'gone', NULL, ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < EXPIRED; i++) {
        ps.setString(1, String.format("k%06d", i));
        ps.setLong(2, expiredAt);
        ps.setLong(3, expiredAt);
        ps.addBatch();
        if (i % 5_000 == 4_999) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
      c.commit();
    }
  }

  private long remainingExpired() throws SQLException {
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM rmq_dedup WHERE scope = 'old'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private boolean purgeWaitsOnTheTestsLock() throws SQLException {
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL"
                    + " AND EXECUTING_STATEMENT LIKE 'DELETE FROM rmq_dedup%'")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  @Test
  void renewal_completesWhileAPurgeOf100kExpiredRecordsStillRuns() throws Exception {
    seedExpired(Instant.now().minus(Duration.ofHours(1)).toEpochMilli());
    // Hold the purge in its second batch: an open transaction that updated one record of it.
    locker = h2.getConnection();
    locker.setAutoCommit(false);
    try (Statement s = locker.createStatement()) {
      assertThat(
              s.executeUpdate(
                  "UPDATE rmq_dedup SET updated_at = updated_at + 1 WHERE scope = 'old'"
                      + " AND dedup_key = '"
                      + HELD_KEY
                      + "'"))
          .isOne();
    }
    DedupConfig cfg =
        DedupConfig.custom(store)
            .lease(Duration.ofSeconds(5))
            .leaseRenewInterval(Duration.ofMillis(100))
            .purgeInterval(Duration.ofSeconds(1))
            .build();
    guard = new DedupGuard(cfg, GROUP, "instance-a", false, renewals, null);
    guard.startPurging();
    Awaitility.await("the purge started and waits on the test's row lock")
        .atMost(WAIT)
        .until(this::purgeWaitsOnTheTestsLock);
    assertThat(store.purgesStarted).hasValue(1);

    AtomicLong remainingAtRenewal = new AtomicLong(-1);
    AtomicBoolean purgeRanAtRenewal = new AtomicBoolean();
    CompletableFuture<Result> handled =
        CompletableFuture.supplyAsync(
            () ->
                guard.process(
                    message("id-1"),
                    (key, expiresAt) -> {
                      int before = store.renewed.get();
                      Awaitility.await("a lease renewal during the purge")
                          .atMost(WAIT)
                          .until(() -> store.renewed.get() > before);
                      purgeRanAtRenewal.set(store.purgesFinished.get() == 0);
                      remainingAtRenewal.set(remainingExpired());
                    }));

    assertThat(handled.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Result.SUCCESS);
    assertThat(purgeRanAtRenewal).as("the purge was still running at the renewal").isTrue();
    assertThat(remainingAtRenewal.get())
        .as("the purge committed the batches before the held record")
        .isBetween(1L, EXPIRED - 1L);
    assertThat(store.find(new DedupKey(GROUP, "id-1")).map(DedupRecord::state))
        .contains(DedupState.CONSUMED);

    locker.rollback();
    Awaitility.await("the purge finished").atMost(WAIT).until(() -> store.purgesFinished.get() > 0);
    assertThat(remainingExpired()).isZero();
    assertThat(store.find(new DedupKey(GROUP, "id-1"))).isPresent();
  }

  private static ReceivedMessage message(String reliableId) {
    return ReceivedMessage.builder("orders", "msg-" + reliableId)
        .body("body")
        .properties(Map.of(ReliableMessage.ID_PROPERTY, reliableId))
        .build();
  }

  /** The real store, counting renewals and purges. */
  private static final class ObservedStore implements DedupStore {
    private final DedupStore delegate;
    final AtomicInteger renewed = new AtomicInteger();
    final AtomicInteger purgesStarted = new AtomicInteger();
    final AtomicInteger purgesFinished = new AtomicInteger();

    ObservedStore(DedupStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public ClaimResult claim(DedupKey key, String owner, Instant now, Instant leaseUntil) {
      return delegate.claim(key, owner, now, leaseUntil);
    }

    @Override
    public boolean extendLease(DedupKey key, String owner, Instant leaseUntil) {
      boolean extended = delegate.extendLease(key, owner, leaseUntil);
      if (extended) {
        renewed.incrementAndGet();
      }
      return extended;
    }

    @Override
    public boolean markConsumed(DedupKey key, String owner, Instant expiresAt) {
      return delegate.markConsumed(key, owner, expiresAt);
    }

    @Override
    public void markConsumed(Connection c, DedupKey key, String owner, Instant expiresAt) {
      delegate.markConsumed(c, key, owner, expiresAt);
    }

    @Override
    public boolean release(DedupKey key, String owner) {
      return delegate.release(key, owner);
    }

    @Override
    public Optional<DedupRecord> find(DedupKey key) {
      return delegate.find(key);
    }

    @Override
    public int purgeExpired(Instant now) {
      purgesStarted.incrementAndGet();
      try {
        return delegate.purgeExpired(now);
      } finally {
        purgesFinished.incrementAndGet();
      }
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
