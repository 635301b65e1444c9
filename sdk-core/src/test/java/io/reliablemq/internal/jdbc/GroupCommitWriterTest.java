package io.reliablemq.internal.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.testsupport.GatedDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * The group-commit writer on a real (in-memory) H2 database: each request is a row insert, so what
 * was committed can be read back. A {@link GatedDataSource} holds the writer inside a commit so
 * that the following requests queue up and form one batch.
 */
class GroupCommitWriterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private JdbcDataSource h2;
  private GatedDataSource gated;
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final List<List<String>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
  private GroupCommitWriter<String, Long> writer;

  @BeforeEach
  void database() throws SQLException {
    h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:gcw" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id VARCHAR(64) PRIMARY KEY)");
    }
    gated = new GatedDataSource(h2);
  }

  @AfterEach
  void stop() {
    gated.release();
    if (writer != null) {
      writer.close(WAIT);
    }
    callers.shutdownNow();
  }

  /** Inserts each id; a batch in one transaction; the result is the row count after the commit. */
  private List<Long> insert(Connection c, List<String> ids) throws SQLException {
    batches.add(List.copyOf(ids));
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id) VALUES (?)")) {
      for (String id : ids) {
        ps.setString(1, id);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    c.commit();
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      out.add((long) i);
    }
    return out;
  }

  private GroupCommitWriter<String, Long> start(int maxBatch) {
    writer = new GroupCommitWriter<>("test-writer", gated, maxBatch, Duration.ZERO, this::insert);
    writer.start();
    return writer;
  }

  private CompletableFuture<Long> submit(String id) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return writer.submit(id);
          } catch (SQLException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        },
        callers);
  }

  /** Holds the writer in the commit of {@code first}, then queues {@code ids} behind it. */
  private List<CompletableFuture<Long>> queueBehindAHeldCommit(String first, List<String> ids)
      throws InterruptedException {
    gated.holdNext(sql -> sql.startsWith("INSERT"));
    List<CompletableFuture<Long>> all = new ArrayList<>();
    all.add(submit(first));
    gated.awaitHeld();
    for (String id : ids) {
      // One at a time, so the queue order is the list's order.
      all.add(submit(id));
      int queued = all.size() - 1;
      Awaitility.await("request " + id + " queued behind the held commit")
          .atMost(WAIT)
          .until(() -> writer.queued() == queued);
    }
    return all;
  }

  private Set<String> rows() throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM t")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
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

  @Test
  void everythingQueuedDuringACommit_isWrittenInTheNextCommit_andAnsweredAfterIt()
      throws Exception {
    start(256);
    List<CompletableFuture<Long>> all = queueBehindAHeldCommit("a", List.of("b", "c", "d", "e"));

    gated.release();

    for (CompletableFuture<Long> f : all) {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(batches).containsExactly(List.of("a"), List.of("b", "c", "d", "e"));
    assertThat(rows()).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
  }

  @Test
  void batchLimit_splitsWhatIsQueued_intoCommitsOfAtMostTheLimit() throws Exception {
    start(2);
    List<CompletableFuture<Long>> all = queueBehindAHeldCommit("a", List.of("b", "c", "d"));

    gated.release();

    for (CompletableFuture<Long> f : all) {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(batches).containsExactly(List.of("a"), List.of("b", "c"), List.of("d"));
  }

  @Test
  void failedBatch_isWrittenAgainOneByOne_soOnlyTheRefusedRequestFails() throws Exception {
    start(256);
    writer.submit("taken");
    List<CompletableFuture<Long>> all =
        queueBehindAHeldCommit("a", List.of("b", "taken", "c", "d"));

    gated.release();

    assertThat(failureOf(all.get(2)))
        .isInstanceOf(SQLException.class)
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("23505");
    for (int i : new int[] {0, 1, 3, 4}) {
      all.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(batches)
        .as("the batch failed on the duplicate, then each request ran alone")
        .containsSubsequence(
            List.of("b", "taken", "c", "d"),
            List.of("b"),
            List.of("taken"),
            List.of("c"),
            List.of("d"));
    assertThat(rows()).containsExactlyInAnyOrder("taken", "a", "b", "c", "d");
  }

  @Test
  void batchOnAStaleConnection_isWrittenAgainOnAFreshOne_andNoRequestFails() throws Exception {
    start(256);
    List<CompletableFuture<Long>> all = queueBehindAHeldCommit("a", List.of("b", "c", "d"));
    // The writer's connection goes stale right after it committed "a".
    gated.breakAfterNextCommit();

    gated.release();

    for (CompletableFuture<Long> f : all) {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(gated.brokenConnections()).as("the fault happened").isOne();
    assertThat(batches)
        .as("the batch met the stale connection, then each request ran alone on a fresh one")
        .containsExactly(
            List.of("a"), List.of("b", "c", "d"), List.of("b"), List.of("c"), List.of("d"));
    assertThat(rows()).containsExactlyInAnyOrder("a", "b", "c", "d");
  }

  @Test
  void interruptedWriter_failsQueuedRequests_andLaterOnes_withStoppedException_andEnds()
      throws Exception {
    start(256);
    List<CompletableFuture<Long>> all = queueBehindAHeldCommit("a", List.of("b", "c"));
    Thread writerThread = writer.thread();

    writerThread.interrupt();
    gated.release();

    // The held commit gets an answer of its own (whatever the database made of the interrupt).
    Awaitility.await("the held request answered").atMost(WAIT).until(all.get(0)::isDone);
    for (CompletableFuture<Long> f : all.subList(1, 3)) {
      assertThat(failureOf(f))
          .isInstanceOf(GroupCommitWriter.StoppedException.class)
          .hasMessageContaining("interrupted")
          .hasMessageContaining("not written")
          .satisfies(
              e ->
                  assertThat(((GroupCommitWriter.StoppedException) e).mayHaveBeenWritten())
                      .isFalse());
    }
    writerThread.join(WAIT.toMillis());
    assertThat(writerThread.isAlive()).as("the writer ended instead of spinning").isFalse();
    assertThatThrownBy(() -> writer.submit("later"))
        .isInstanceOf(GroupCommitWriter.StoppedException.class)
        .hasMessageContaining("interrupted");
    assertThat(rows()).doesNotContain("b", "c");
  }

  @Test
  void interruptWhileIdle_stopsTheWriter_andLaterRequestsFailInsteadOfHanging() throws Exception {
    start(256);
    writer.submit("a");

    writer.thread().interrupt();

    // A request racing the interrupt may still be written (the queue can hand it over before the
    // interrupt is seen); either way it is answered, and the writer then ends.
    CompletableFuture<Long> racing = submit("b");
    Awaitility.await("the racing request answered").atMost(WAIT).until(racing::isDone);
    writer.thread().join(WAIT.toMillis());
    assertThat(writer.isRunning()).as("the writer ended instead of spinning").isFalse();
    assertThat(failureOf(submit("c")))
        .isInstanceOf(GroupCommitWriter.StoppedException.class)
        .hasMessageContaining("interrupted");
    assertThat(rows()).contains("a").doesNotContain("c");
  }

  @Test
  void close_writesWhatWasQueuedBeforeIt_thenRefusesNewRequests() throws Exception {
    start(256);
    List<CompletableFuture<Long>> all = queueBehindAHeldCommit("a", List.of("b", "c"));
    CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(() -> writer.close(WAIT));
    Awaitility.await("close refuses new requests")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> writer.submit("late"))
                    .isInstanceOf(GroupCommitWriter.StoppedException.class)
                    .hasMessageContaining("closed"));

    gated.release();

    assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    for (CompletableFuture<Long> f : all) {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(rows()).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void close_whileACommitHangs_answersEveryRequestWithinTheBound_queuedOnesAsNotWritten()
      throws Exception {
    start(256);
    List<CompletableFuture<Long>> all = queueBehindAHeldCommit("a", List.of("b", "c"));

    boolean ended = writer.close(Duration.ofMillis(200));

    assertThat(ended).as("the writer was still held").isFalse();
    GroupCommitWriter.StoppedException running =
        (GroupCommitWriter.StoppedException) failureOf(all.get(0));
    assertThat(running.mayHaveBeenWritten()).isTrue();
    assertThat(running).hasMessageContaining("may have been written");
    for (CompletableFuture<Long> f : all.subList(1, 3)) {
      GroupCommitWriter.StoppedException queued = (GroupCommitWriter.StoppedException) failureOf(f);
      assertThat(queued.mayHaveBeenWritten()).isFalse();
      assertThat(queued).hasMessageContaining("not written");
    }
    // The hang ends later: the abandoned requests are never written.
    gated.release();
    writer.thread().join(WAIT.toMillis());
    assertThat(writer.isRunning()).isFalse();
    assertThat(rows()).doesNotContain("b", "c");
  }

  @Test
  void errorInTheWork_failsItsCaller_andStopsTheWriter_withoutLeavingAnyoneWaiting()
      throws Exception {
    writer =
        new GroupCommitWriter<>(
            "test-writer",
            gated,
            256,
            Duration.ZERO,
            (c, ids) -> {
              if (ids.contains("boom")) {
                throw new OutOfMemoryError("simulated");
              }
              return insert(c, ids);
            });
    writer.start();
    writer.submit("a");

    assertThat(failureOf(submit("boom"))).isInstanceOf(GroupCommitWriter.StoppedException.class);
    assertThatThrownBy(() -> writer.submit("later"))
        .isInstanceOf(GroupCommitWriter.StoppedException.class);
  }
}
