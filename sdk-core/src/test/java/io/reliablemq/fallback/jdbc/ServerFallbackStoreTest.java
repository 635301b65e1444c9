package io.reliablemq.fallback.jdbc;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreContractTest;
import io.reliablemq.fallback.FallbackStoreException;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link FallbackStoreContractTest} on a real database server, one table prefix per test,
 * dropped afterwards, plus two instances replaying one shared store. Skipped when the server is
 * unreachable unless databases are required.
 */
abstract class ServerFallbackStoreTest extends FallbackStoreContractTest {
  private final TestDatabase db;
  private final DataSource dataSource;
  private final List<FallbackStore> others = new ArrayList<>();
  private String prefix;

  ServerFallbackStoreTest(TestDatabase db) {
    this.db = db;
    this.dataSource = db.dataSource();
  }

  @Override
  protected FallbackStore openStore(FallbackStoreConfig.Builder config) {
    if (prefix == null) {
      db.requireReachable();
      prefix = TestDatabase.newPrefix();
    }
    return JdbcFallbackStore.create(dataSource, dialect(), config.tablePrefix(prefix).build());
  }

  /**
   * The table prefix of this test's store (set once the store is open).
   *
   * @return the prefix
   */
  String tablePrefix() {
    return prefix;
  }

  /**
   * The database under test.
   *
   * @return the database
   */
  TestDatabase database() {
    return db;
  }

  /**
   * The dialect under test.
   *
   * @return the dialect
   */
  Dialect dialect() {
    return Dialect.of(db.kind());
  }

  @AfterEach
  void dropTestTables() {
    others.forEach(FallbackStore::close);
    if (store != null) {
      store.close();
    }
    if (prefix != null) {
      db.dropTables(prefix);
    }
  }

  /** The printed DDL is what a store with schema management NONE accepts on this server. */
  @Test
  void schemaNone_opensOnTheSchemaThePrintedDdlCreates() throws Exception {
    String other = TestDatabase.newPrefix();
    FallbackStoreConfig none =
        config().tablePrefix(other).schemaManagement(SchemaManagement.NONE).build();
    try {
      assertThatThrownBy(() -> JdbcFallbackStore.create(dataSource, dialect(), none))
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining("JdbcFallbackStore.ddl");
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        for (String stmt : JdbcFallbackStore.ddl(dialect(), other).split(";\n")) {
          String sql = stmt.lines().filter(l -> !l.startsWith("--")).collect(joining("\n")).trim();
          if (!sql.isEmpty()) {
            s.execute(sql);
          }
        }
      }
      try (FallbackStore s = JdbcFallbackStore.create(dataSource, dialect(), none)) {
        s.append(message("t").build(), false);
        assertThat(s.claim("r", 10, Duration.ofSeconds(30))).hasSize(1);
      }
    } finally {
      db.dropTables(other);
    }
  }

  /**
   * Two instances (two stores on their own data sources, two replayer threads each) drain one
   * shared table the way the replayer does: claim a batch, send in order, stop a group at its first
   * failure and release the rest of it, delete the acknowledged entries at the end of the round.
   * Every entry is sent exactly once and each message group is sent in append order, although the
   * instances appended the groups' entries alternately and claim at the same moments.
   */
  @Test
  void twoInstances_replayingOneStore_sendEachEntryOnce_inGroupOrder() throws Exception {
    FallbackStore b =
        JdbcFallbackStore.create(db.dataSource(), dialect(), config().tablePrefix(prefix).build());
    others.add(b);
    List<FallbackStore> instances = List.of(store, b);
    int groups = 6;
    int perGroup = 25;
    int plain = 50;
    Map<String, String> groupOf = new HashMap<>();
    Map<String, List<String>> appendOrder = new LinkedHashMap<>();
    int n = 0;
    for (int i = 0; i < perGroup; i++) {
      for (int g = 0; g < groups; g++) {
        String group = "G" + g;
        StoredEntry e =
            instances.get(n++ % 2).append(message("fifo").messageGroup(group).build(), false);
        groupOf.put(e.id(), group);
        appendOrder.computeIfAbsent(group, k -> new ArrayList<>()).add(e.id());
      }
      if (i % 2 == 0) {
        for (int p = 0; p < plain * 2 / perGroup; p++) {
          instances.get(n++ % 2).append(message("plain").build(), false);
        }
      }
    }
    int total = n;

    AtomicLong sendClock = new AtomicLong();
    Map<String, List<Long>> sends = new ConcurrentHashMap<>();
    Map<String, List<String>> sentOrder = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        FallbackStore s = instances.get(t % 2);
        String owner = "instance-" + (t % 2) + "-replayer-" + t;
        Random random = new Random(42 + t);
        futures.add(
            pool.submit(
                () -> {
                  int rounds = 0;
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                  while (s.count() > 0) {
                    assertThat(System.nanoTime()).as("drained in time").isLessThan(deadline);
                    rounds++;
                    List<StoredEntry> batch = s.claim(owner, 8, Duration.ofMinutes(10));
                    List<String> acked = new ArrayList<>();
                    java.util.Set<String> stopped = new java.util.HashSet<>();
                    for (StoredEntry e : batch) {
                      String group = e.message().messageGroup().orElse(null);
                      if (group != null && stopped.contains(group)) {
                        s.recordFailure(e.id(), "not replayed this round");
                        continue;
                      }
                      if (random.nextInt(10) == 0) {
                        // A retryable send failure: the entry stays, its group stops this round.
                        s.recordFailure(e.id(), "simulated timeout");
                        if (group != null) {
                          stopped.add(group);
                        }
                        continue;
                      }
                      long at = sendClock.incrementAndGet();
                      sends.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(at);
                      if (group != null) {
                        synchronized (sentOrder) {
                          sentOrder.computeIfAbsent(group, k -> new ArrayList<>()).add(e.id());
                        }
                      }
                      acked.add(e.id());
                    }
                    s.deleteAll(acked);
                  }
                  return rounds;
                }));
      }
      for (Future<Integer> f : futures) {
        assertThat(f.get(180, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      pool.shutdownNow();
    }

    long sentTwice = sends.values().stream().filter(l -> l.size() > 1).count();
    System.out.printf(
        "%s multi-instance replay: entries=%d, instances=2, replayers=4, sent=%d, sent twice=%d,"
            + " groups in order=%d/%d%n",
        db,
        total,
        sends.size(),
        sentTwice,
        appendOrder.entrySet().stream()
            .filter(en -> en.getValue().equals(sentOrder.get(en.getKey())))
            .count(),
        groups);
    assertThat(sentTwice).as("entries sent twice").isZero();
    assertThat(sends).hasSize(total);
    assertThat(store.count()).isZero();
    for (Map.Entry<String, List<String>> en : appendOrder.entrySet()) {
      assertThat(sentOrder.get(en.getKey()))
          .as("order of group %s", en.getKey())
          .isEqualTo(en.getValue());
    }
    assertThat(groupOf).hasSize(groups * perGroup);
  }
}
