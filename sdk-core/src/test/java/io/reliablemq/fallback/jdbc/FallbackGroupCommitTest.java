package io.reliablemq.fallback.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreException;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.testsupport.GatedDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fallback store's group commit at its edges, on a real (in-memory) H2 database behind a {@link
 * GatedDataSource} that holds the writer inside one commit so the next appends queue up and meet in
 * one batch: a refused append or a stale connection in a batch, an interrupt of the writer, and a
 * close while a commit hangs. Every wait is bounded, so a writer that hangs fails the test.
 */
class FallbackGroupCommitTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private JdbcDataSource h2;
  private GatedDataSource gated;
  private JdbcFallbackStore store;
  private final ExecutorService appenders = Executors.newCachedThreadPool();

  @BeforeEach
  void database() {
    h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:fgc" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    gated = new GatedDataSource(h2);
  }

  @AfterEach
  void cleanUp() throws Exception {
    gated.release();
    if (store != null) {
      // Bounded here too: a close that hangs must fail the test, not stall the build.
      CompletableFuture.runAsync(store::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    appenders.shutdownNow();
  }

  private JdbcFallbackStore open(FallbackStoreConfig.Builder config) {
    store = JdbcFallbackStore.create(gated, H2Dialect.INSTANCE, config.build());
    return store;
  }

  private static ReliableMessage message(String id) {
    return ReliableMessage.builder("orders").id(id).body("body of " + id).build();
  }

  private CompletableFuture<StoredEntry> append(String id) {
    return CompletableFuture.supplyAsync(() -> store.append(message(id), false), appenders);
  }

  /**
   * Holds the writer in the commit of {@code first}, then queues {@code ids} behind it in order.
   */
  private List<CompletableFuture<StoredEntry>> queueBehindAHeldCommit(
      String first, List<String> ids) throws InterruptedException {
    gated.holdNext(sql -> sql.startsWith("INSERT"));
    List<CompletableFuture<StoredEntry>> all = new ArrayList<>();
    all.add(append(first));
    gated.awaitHeld();
    for (String id : ids) {
      all.add(append(id));
      int queued = all.size() - 1;
      Awaitility.await("append " + id + " queued behind the held commit")
          .atMost(WAIT)
          .until(() -> store.writer().queued() == queued);
    }
    return all;
  }

  private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      return t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
    }
    throw new AssertionError("expected a failure, got " + f.get());
  }

  private Set<String> storedIds() throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM rmq_fallback")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  @Test
  void batchWithOneRefusedAppend_storesTheOthers_andFailsOnlyThatOne() throws Exception {
    open(FallbackStoreConfig.custom().maxRows(7));
    store.append(message("dup"), false);
    List<CompletableFuture<StoredEntry>> all =
        queueBehindAHeldCommit("a", List.of("b", "dup", "c", "d"));

    gated.release();

    assertThat(failureOf(all.get(2)))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining("could not commit the append")
        .hasRootCauseInstanceOf(SQLException.class);
    for (int i : new int[] {0, 1, 3, 4}) {
      assertThat(all.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS).id())
          .isEqualTo(List.of("a", "b", "dup", "c", "d").get(i));
    }
    assertThat(gated.batchSizes())
        .as("the four queued appends met in one batch, which failed on the duplicate id")
        .containsSubsequence(4, 1, 1, 1, 1);
    assertThat(storedIds()).containsExactlyInAnyOrder("dup", "a", "b", "c", "d");
    assertThat(store.count()).isEqualTo(5);
    // The refused append's reservation was given back: two more fit the 7-row store, not three.
    store.append(message("e"), false);
    store.append(message("f"), false);
    assertThatThrownBy(() -> store.append(message("g"), false))
        .isInstanceOf(io.reliablemq.fallback.FallbackStoreFullException.class);
  }

  @Test
  void batchOnAStaleConnection_storesEveryAppendOfIt() throws Exception {
    open(FallbackStoreConfig.custom());
    List<CompletableFuture<StoredEntry>> all = queueBehindAHeldCommit("a", List.of("b", "c", "d"));
    // The writer's connection goes stale right after it committed "a".
    gated.breakAfterNextCommit();

    gated.release();

    for (CompletableFuture<StoredEntry> f : all) {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(gated.brokenConnections()).as("the fault happened").isOne();
    assertThat(storedIds()).containsExactlyInAnyOrder("a", "b", "c", "d");
  }

  @Test
  void interruptedWriter_failsThePendingAppends_withANamedException_insteadOfHanging()
      throws Exception {
    open(FallbackStoreConfig.custom());
    List<CompletableFuture<StoredEntry>> all = queueBehindAHeldCommit("a", List.of("b", "c"));
    Thread writer = gated.awaitHeld();
    assertThat(writer.getName()).isEqualTo("reliablemq-fallback-writer");

    writer.interrupt();
    gated.release();

    Awaitility.await("the held append answered").atMost(WAIT).until(all.get(0)::isDone);
    for (CompletableFuture<StoredEntry> f : all.subList(1, 3)) {
      assertThat(failureOf(f))
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining("append not stored")
          .hasMessageContaining("reliablemq-fallback-writer stopped: its thread was interrupted");
    }
    assertThatThrownBy(() -> store.append(message("later"), false))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining("interrupted");
    assertThat(storedIds()).doesNotContain("b", "c", "later");
  }

  @Test
  void close_whileACommitHangs_failsThePendingAppendsWithinTheBound_queuedOnesAsNotStored()
      throws Exception {
    open(FallbackStoreConfig.custom().closeTimeout(Duration.ofMillis(300)));
    List<CompletableFuture<StoredEntry>> all = queueBehindAHeldCommit("a", List.of("b", "c"));

    CompletableFuture.runAsync(store::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(failureOf(all.get(0)))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining("outcome of the append unknown, it may be stored");
    for (CompletableFuture<StoredEntry> f : all.subList(1, 3)) {
      assertThat(failureOf(f))
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining("append not stored")
          .hasMessageContaining("closed before the request was written");
    }
    gated.release();
    Awaitility.await("the writer ended").atMost(WAIT).until(() -> !store.writer().isRunning());
    assertThat(storedIds()).doesNotContain("b", "c");
  }
}
