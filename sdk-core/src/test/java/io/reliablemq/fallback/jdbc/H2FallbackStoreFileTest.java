package io.reliablemq.fallback.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reliablemq.fallback.Durability;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreException;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.message.ReliableMessage;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the embedded H2 file has: its URL, files, locks, schema handling, group commit. */
class H2FallbackStoreFileTest {
  @TempDir Path tmp;

  private FallbackStoreConfig.Builder config(Path dir) {
    return FallbackStoreConfig.custom().directory(dir);
  }

  private static ReliableMessage message(String id) {
    return ReliableMessage.builder("t").id(id).body(new byte[1024]).build();
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static Set<String> storeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.contains("reliablemq") || n.contains("H2") || n.contains("MVStore"))
        .collect(Collectors.toSet());
  }

  @Test
  void urlHasWriteDelayZeroAndNoServerOptions() {
    String url = JdbcFallbackStore.h2Url(tmp.resolve("dir"), "fallback");

    assertThat(url)
        .isEqualTo(
            "jdbc:h2:file:"
                + tmp.resolve("dir").resolve("fallback")
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0");
    assertThat(url.toUpperCase())
        .doesNotContain("AUTO_SERVER")
        .doesNotContain("TCP")
        .doesNotContain("FILE_LOCK")
        .doesNotContain("RETENTION_TIME")
        .doesNotContain("COMPACT");
  }

  @Test
  void directoryIsOwnerOnlyAndStoreFilesAreOwnerReadWriteOnly() throws Exception {
    assumeTrue(posix(), "POSIX permissions");
    Path dir = tmp.resolve("a").resolve("store");

    try (JdbcFallbackStore store = JdbcFallbackStore.h2(config(dir).build())) {
      store.append(message("x"), false);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx------");
      List<Path> files;
      try (var s = Files.list(dir)) {
        files = s.collect(Collectors.toList());
      }
      assertThat(files).isNotEmpty();
      for (Path f : files) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .as("mode of %s", f)
            .isEqualTo("rw-------");
      }
    }
  }

  @Test
  void secondOpenInTheSameProcessFailsNamingTheFile() {
    Path dir = tmp.resolve("store");
    try (JdbcFallbackStore first = JdbcFallbackStore.h2(config(dir).build())) {
      assertThatThrownBy(() -> JdbcFallbackStore.h2(config(dir).build()))
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining(dir.resolve("fallback.mv.db").toString())
          .hasMessageContaining("already open");
      first.append(message("still-works"), false);
    }
    // Released on close.
    try (JdbcFallbackStore again = JdbcFallbackStore.h2(config(dir).build())) {
      assertThat(again.find("still-works")).isPresent();
    }
  }

  @Test
  void openWhileAnotherProcessHoldsTheFileFailsNamingTheFile() throws Exception {
    Path dir = tmp.resolve("store");
    Set<String> threadsBefore = storeThreads();
    try (ChildJvm holder = ChildJvm.start(tmp.resolve("holder.err"), "hold", dir.toString())) {
      assertThat(holder.awaitReady(30_000)).as("holder: %s", holder.stderrText()).isTrue();

      assertThatThrownBy(() -> JdbcFallbackStore.h2(config(dir).build()))
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining(dir.resolve("fallback.mv.db").toString());
      assertThat(storeThreads()).isSubsetOf(threadsBefore);
    }
  }

  @Test
  void corruptFileFailsClearlyAndLeavesNoThread() throws Exception {
    Path dir = tmp.resolve("store");
    Files.createDirectories(dir);
    byte[] garbage = new byte[64 * 1024];
    new Random(42).nextBytes(garbage);
    Files.write(dir.resolve("fallback.mv.db"), garbage);
    Set<String> threadsBefore = storeThreads();

    assertThatThrownBy(() -> JdbcFallbackStore.h2(config(dir).build()))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining(dir.resolve("fallback.mv.db").toString());
    assertThat(storeThreads()).isSubsetOf(threadsBefore);
  }

  @Test
  void truncatedStoreFileFailsClearly() throws Exception {
    Path dir = tmp.resolve("store");
    try (JdbcFallbackStore store = JdbcFallbackStore.h2(config(dir).build())) {
      store.append(message("x"), false);
    }
    Path file = dir.resolve("fallback.mv.db");
    byte[] head = Files.readAllBytes(file);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(head, 0, 100);
    }

    assertThatThrownBy(() -> JdbcFallbackStore.h2(config(dir).build()))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void directoryThatCannotBeCreatedFailsClearly() throws Exception {
    Path notADir = tmp.resolve("file");
    Files.writeString(notADir, "x");
    Path dir = notADir.resolve("store");

    assertThatThrownBy(() -> JdbcFallbackStore.h2(config(dir).build()))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void nonWritableDirectoryFailsClearly() throws Exception {
    assumeTrue(posix(), "POSIX permissions");
    Path dir = tmp.resolve("readonly");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    try {
      // root ignores permissions: nothing to test then.
      assumeTrue(!Files.isWritable(dir), "permissions are enforced for this user");
      assertThatThrownBy(() -> JdbcFallbackStore.h2(config(dir).build()))
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("not writable");
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void powerLossModeStoresConcurrentAppendsAndReopens() throws Exception {
    Path dir = tmp.resolve("store");
    FallbackStoreConfig cfg = config(dir).durability(Durability.POWER_LOSS).build();
    Set<String> acked = ConcurrentHashMap.newKeySet();
    try (JdbcFallbackStore store = JdbcFallbackStore.h2(cfg)) {
      appendConcurrently(store, 4, 100, acked);
      assertThat(store.appends()).isEqualTo(400);
    }
    try (JdbcFallbackStore store = JdbcFallbackStore.h2(cfg)) {
      assertThat(store.list(0, 1000).stream().map(StoredEntry::id).collect(Collectors.toSet()))
          .isEqualTo(acked);
    }
  }

  @Test
  void concurrentAppendsShareCommits() throws Exception {
    Set<String> acked = ConcurrentHashMap.newKeySet();
    try (JdbcFallbackStore store = JdbcFallbackStore.h2(config(tmp.resolve("store")).build())) {
      List<StoredEntry> entries = appendConcurrently(store, 8, 250, acked);

      System.out.printf(
          "group commit: %d appends in %d commits%n", store.appends(), store.commits());
      assertThat(store.appends()).isEqualTo(2000);
      assertThat(store.commits()).isLessThan(store.appends());
      // Each caller got its own committed sequence.
      assertThat(entries.stream().map(StoredEntry::sequence).distinct().count()).isEqualTo(2000);
      for (StoredEntry e : entries.subList(0, 50)) {
        assertThat(store.find(e.id()).orElseThrow().sequence()).isEqualTo(e.sequence());
      }
    }
  }

  @Test
  void singleAppenderCommitsEachAppendAtOnce() {
    try (JdbcFallbackStore store = JdbcFallbackStore.h2(config(tmp.resolve("store")).build())) {
      for (int i = 0; i < 20; i++) {
        store.append(message("m" + i), false);
      }
      assertThat(store.commits()).isEqualTo(20);
    }
  }

  @Test
  void migrationIsRecordedOnceAndNotReappliedOnReopen() throws Exception {
    Path dir = tmp.resolve("store");
    JdbcFallbackStore.h2(config(dir).build()).close();
    JdbcFallbackStore.h2(config(dir).build()).close();

    try (Connection c = rawH2(dir);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT component, version FROM rmq_schema_version")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("fallback");
      assertThat(rs.getInt(2)).isEqualTo(1);
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void schemaNewerThanThisSdkIsRefused() throws Exception {
    Path dir = tmp.resolve("store");
    JdbcFallbackStore.h2(config(dir).build()).close();
    try (Connection c = rawH2(dir);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO rmq_schema_version VALUES ('fallback', 99, 'from the future')");
    }

    assertThatThrownBy(() -> JdbcFallbackStore.h2(config(dir).build()))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining("99");
  }

  @Test
  void tablePrefixSeparatesStoresInOneDatabase() {
    JdbcDataSource ds = memoryDataSource("prefixes");
    try (JdbcFallbackStore a =
            JdbcFallbackStore.create(
                ds, H2Dialect.INSTANCE, FallbackStoreConfig.custom().tablePrefix("app_a").build());
        JdbcFallbackStore b =
            JdbcFallbackStore.create(
                ds,
                H2Dialect.INSTANCE,
                FallbackStoreConfig.custom().tablePrefix("app_b").build())) {
      a.append(message("only-in-a"), false);
      assertThat(a.count()).isEqualTo(1);
      assertThat(b.count()).isZero();
    }
  }

  @Test
  void schemaManagementNoneAcceptsTheSchemaFromThePrintedDdl() throws Exception {
    JdbcDataSource ds = memoryDataSource("printed");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String sql : JdbcFallbackStore.ddl(H2Dialect.INSTANCE, "ops").split(";\n")) {
        if (!sql.isBlank()) {
          s.execute(sql);
        }
      }
    }
    FallbackStoreConfig cfg =
        FallbackStoreConfig.custom()
            .tablePrefix("ops")
            .schemaManagement(SchemaManagement.NONE)
            .build();

    try (JdbcFallbackStore store = JdbcFallbackStore.create(ds, H2Dialect.INSTANCE, cfg)) {
      store.append(message("x"), false);
      assertThat(store.find("x")).isPresent();
    }
  }

  @Test
  void schemaManagementNoneWithoutSchemaFailsClearly() {
    FallbackStoreConfig cfg =
        FallbackStoreConfig.custom()
            .tablePrefix("missing")
            .schemaManagement(SchemaManagement.NONE)
            .build();

    assertThatThrownBy(
            () -> JdbcFallbackStore.create(memoryDataSource("empty"), H2Dialect.INSTANCE, cfg))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining("missing_schema_version")
        .hasMessageContaining("ddl");
  }

  @Test
  void ddlListsVersionTableMigrationsAndVersionRows() {
    String ddl = JdbcFallbackStore.ddl(H2Dialect.INSTANCE, "rmq");

    assertThat(ddl)
        .contains("CREATE TABLE IF NOT EXISTS rmq_schema_version")
        .contains("CREATE TABLE rmq_fallback")
        .contains("body BLOB NOT NULL")
        .contains("CREATE INDEX rmq_fallback_group_idx")
        .contains(
            "INSERT INTO rmq_schema_version (component, version, description) VALUES"
                + " ('fallback', 1,");
  }

  @Test
  void ddlRejectsAnUnsafePrefix() {
    assertThatThrownBy(() -> JdbcFallbackStore.ddl(H2Dialect.INSTANCE, "x; DROP TABLE y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix");
  }

  private static List<StoredEntry> appendConcurrently(
      JdbcFallbackStore store, int threads, int perThread, Set<String> acked) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<StoredEntry> entries = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    StoredEntry e = store.append(message("t" + thread + "-" + i), false);
                    entries.add(e);
                    acked.add(e.id());
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return entries;
  }

  private static Connection rawH2(Path dir) throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(JdbcFallbackStore.h2Url(dir, "fallback"));
    ds.setUser("rmq");
    ds.setPassword("");
    return ds.getConnection();
  }

  private static JdbcDataSource memoryDataSource(String name) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + name + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    ds.setUser("sa");
    ds.setPassword("");
    return ds;
  }
}
