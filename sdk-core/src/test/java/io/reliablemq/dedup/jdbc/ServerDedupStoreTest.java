package io.reliablemq.dedup.jdbc;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.dedup.ClaimResult;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupLeaseLostException;
import io.reliablemq.dedup.DedupState;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.DedupStoreContractTest;
import io.reliablemq.dedup.DedupStoreException;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link DedupStoreContractTest} on a real database server, plus the transactional mark and two
 * instances sharing one dedup truth. One table prefix per test, dropped afterwards.
 */
abstract class ServerDedupStoreTest extends DedupStoreContractTest {
  private final TestDatabase db;
  private final DataSource dataSource;
  private final List<DedupStore> extra = new ArrayList<>();
  private String prefix;

  ServerDedupStoreTest(TestDatabase db) {
    this.db = db;
    this.dataSource = db.dataSource();
  }

  @Override
  protected DedupStore newStore() {
    if (prefix == null) {
      db.requireReachable();
      prefix = TestDatabase.newPrefix();
    }
    return open(dataSource);
  }

  @Override
  protected DedupStore newStore(int purgeBatchSize) {
    return open(
        dataSource,
        DedupStoreConfig.custom().tablePrefix(prefix).purgeBatchSize(purgeBatchSize).build());
  }

  /** Another instance's store: its own data source, the same tables. */
  private DedupStore open(DataSource ds) {
    return open(ds, DedupStoreConfig.custom().tablePrefix(prefix).build());
  }

  private DedupStore open(DataSource ds, DedupStoreConfig config) {
    JdbcDedupStore s = JdbcDedupStore.create(ds, DedupDialect.of(db.kind()), config);
    extra.add(s);
    return s;
  }

  @AfterEach
  void dropTestTables() {
    extra.forEach(DedupStore::close);
    if (prefix != null) {
      db.dropTables(prefix);
    }
  }

  /** The printed DDL is what a store with schema management NONE accepts on this server. */
  @Test
  void schemaNone_opensOnTheSchemaThePrintedDdlCreates() throws Exception {
    String other = TestDatabase.newPrefix();
    DedupStoreConfig none =
        DedupStoreConfig.custom()
            .tablePrefix(other)
            .schemaManagement(SchemaManagement.NONE)
            .build();
    try {
      assertThatThrownBy(() -> JdbcDedupStore.create(dataSource, DedupDialect.of(db.kind()), none))
          .isInstanceOf(DedupStoreException.class)
          .hasMessageContaining("JdbcDedupStore.ddl");
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        for (String stmt : JdbcDedupStore.ddl(DedupDialect.of(db.kind()), other).split(";\n")) {
          String sql = stmt.lines().filter(l -> !l.startsWith("--")).collect(joining("\n")).trim();
          if (!sql.isEmpty()) {
            s.execute(sql);
          }
        }
      }
      try (JdbcDedupStore s = JdbcDedupStore.create(dataSource, DedupDialect.of(db.kind()), none)) {
        assertThat(s.claim(key, "a", T0, T0.plus(LEASE)).owned()).isTrue();
      }
    } finally {
      db.dropTables(other);
    }
  }

  @Test
  void keys_differingOnlyInCase_areDistinctKeys() {
    DedupKey upper = new DedupKey("g", "Order-1");
    DedupKey lower = new DedupKey("g", "order-1");
    store.claim(upper, "a", T0, T0.plus(LEASE));
    store.markConsumed(upper, "a", T0.plus(TTL));

    assertThat(store.claim(lower, "b", T0, T0.plus(LEASE)).status())
        .isEqualTo(ClaimResult.Status.ACQUIRED);
  }

  @Test
  void transactionalMark_commitsAndRollsBack_withTheCallersTransaction() throws Exception {
    DedupKey k1 = new DedupKey("g", "rolled-back");
    DedupKey k2 = new DedupKey("g", "committed");
    store.claim(k1, "a", T0, T0.plus(LEASE));
    store.claim(k2, "a", T0, T0.plus(LEASE));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      store.markConsumed(c, k1, "a", T0.plus(TTL));
      c.rollback();
      store.markConsumed(c, k2, "a", T0.plus(TTL));
      c.commit();
    }
    assertThat(store.find(k1).orElseThrow().state()).isEqualTo(DedupState.PROCESSING);
    assertThat(store.find(k2).orElseThrow().state()).isEqualTo(DedupState.CONSUMED);
  }

  @Test
  void transactionalMark_throwsLeaseLost_whenAnotherInstanceTookOver() throws Exception {
    DedupStore other = open(db.dataSource());
    store.claim(key, "a", T0, T0.plus(LEASE));
    other.claim(key, "b", T0.plus(LEASE), T0.plus(LEASE).plus(LEASE));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);

      assertThatThrownBy(() -> store.markConsumed(c, key, "a", T0.plus(TTL)))
          .isInstanceOf(DedupLeaseLostException.class);
      c.rollback();
    }
  }

  @Test
  void twoInstances_shareOneDedupTruth_consumedThroughAIsADuplicateForB() {
    DedupStore b = open(db.dataSource());
    store.claim(key, "instance-a", T0, T0.plus(LEASE));

    assertThat(b.claim(key, "instance-b", T0, T0.plus(LEASE)).status())
        .isEqualTo(ClaimResult.Status.HELD_BY_OTHER);

    store.markConsumed(key, "instance-a", T0.plus(TTL));

    ClaimResult seenByB = b.claim(key, "instance-b", T0.plusSeconds(1), T0.plus(LEASE));
    assertThat(seenByB.status()).isEqualTo(ClaimResult.Status.ALREADY_CONSUMED);
  }

  /**
   * Two consumer instances (two stores, own connections, two handler threads each) receive every
   * message twice, as after a rebalance or a redelivery: each key is processed exactly once.
   */
  @Test
  void twoInstances_processEachKeyOnce_whenBothReceiveEveryMessage() throws Exception {
    int keys = 120;
    List<DedupStore> instances = List.of(store, open(db.dataSource()));
    Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        DedupStore s = instances.get(t % 2);
        String owner = "instance-" + (t % 2) + "-thread-" + t;
        boolean reverse = t >= 2;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < keys; i++) {
                    String id = "msg-" + (reverse ? keys - 1 - i : i);
                    DedupKey k = new DedupKey("orders", id);
                    Instant now = T0;
                    if (s.claim(k, owner, now, now.plus(LEASE)).owned()) {
                      processed.computeIfAbsent(id, x -> new AtomicInteger()).incrementAndGet();
                      assertThat(s.markConsumed(k, owner, now.plus(TTL))).isTrue();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(processed).hasSize(keys);
    assertThat(processed.values()).allSatisfy(n -> assertThat(n).hasValue(1));
  }

  @Test
  void purgeBatchStatement_deletesAtMostItsLimit_andOnlyExpiredRecordsOfItsState()
      throws Exception {
    Instant ended = T0.plusSeconds(100);
    for (int i = 0; i < 5; i++) {
      DedupKey k = new DedupKey("g", "consumed-" + i);
      store.claim(k, "a", T0, ended);
      store.markConsumed(k, "a", ended);
      store.claim(new DedupKey("g", "leased-" + i), "a", T0, ended);
    }
    DedupDialect dialect = DedupDialect.of(db.kind());
    try (Connection c = dataSource.getConnection()) {
      assertThat(
              runPurgeBatch(
                  c,
                  dialect.purgeBatchSql(JdbcDedupStore.table(prefix), DedupDialect.CONSUMED, 2),
                  ended))
          .isEqualTo(2);
      assertThat(
              runPurgeBatch(
                  c,
                  dialect.purgeBatchSql(JdbcDedupStore.table(prefix), DedupDialect.PROCESSING, 4),
                  ended))
          .isEqualTo(4);
      assertThat(
              runPurgeBatch(
                  c,
                  dialect.purgeBatchSql(JdbcDedupStore.table(prefix), DedupDialect.CONSUMED, 9),
                  ended))
          .isEqualTo(3);
      assertThat(
              runPurgeBatch(
                  c,
                  dialect.purgeBatchSql(JdbcDedupStore.table(prefix), DedupDialect.PROCESSING, 9),
                  ended.minusMillis(1)))
          .as("a lease not yet ended is kept")
          .isZero();
    }
  }

  private static int runPurgeBatch(Connection c, String sql, Instant now) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int params = (int) sql.chars().filter(ch -> ch == '?').count();
      for (int i = 1; i <= params; i++) {
        ps.setLong(i, now.toEpochMilli());
      }
      return ps.executeUpdate();
    }
  }
}
