package io.reliablemq.fallback.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The fallback store contract on MariaDB, plus the claim interleaving that once split groups. */
class MariaDbFallbackStoreTest extends ServerFallbackStoreTest {
  MariaDbFallbackStoreTest() {
    super(TestDatabase.MARIADB);
  }

  /**
   * The interleaving behind the two-instance test's rare failure on InnoDB, made deterministic. The
   * group's head is leased by instance A, which is releasing it (its failure update not yet
   * committed). Instance B's claim scan passes the head, then pauses (a named lock held by the
   * test, taken in the candidate statement's own WHERE clause) on the group's next entry; A's
   * release commits; B goes on. A claim that judged the head from one state must not offer the
   * later entries of the group: either the head is still held (so they wait) or it is free (so it
   * comes first). With the former {@code FOR UPDATE SKIP LOCKED} read B got the later entries
   * without the head.
   */
  @Test
  void claimCandidates_neverPassAGroupHead_releasedDuringTheScan() throws Exception {
    StoredEntry head = store.append(message("fifo").messageGroup("G").build(), false);
    StoredEntry next = store.append(message("fifo").messageGroup("G").build(), false);
    StoredEntry last = store.append(message("fifo").messageGroup("G").build(), false);
    assertThat(store.claim("instance-a", 1, Duration.ofMinutes(10)))
        .extracting(StoredEntry::id)
        .containsExactly(head.id());

    String table = JdbcFallbackStore.entriesTable(tablePrefix());
    String pause = "rmq-claim-pause-" + UUID.randomUUID();
    String paused =
        dialect()
            .claimCandidatesSql(table)
            .replace(
                " WHERE e.state",
                " WHERE (e.seq <> "
                    + next.sequence()
                    + " OR GET_LOCK('"
                    + pause
                    + "', 60) >= 0)"
                    + " AND e.state");
    assertThat(paused).as("pause inserted").contains(pause);
    long now = clock.millis();
    try (Connection release = database().dataSource().getConnection();
        Connection gate = database().dataSource().getConnection()) {
      lockByName(gate, pause);
      release.setAutoCommit(false);
      try (PreparedStatement ps = release.prepareStatement(dialect().recordFailureSql(table))) {
        ps.setString(1, "simulated timeout");
        ps.setString(2, head.id());
        assertThat(ps.executeUpdate()).isOne();
      }
      CompletableFuture<List<String>> claimB =
          CompletableFuture.supplyAsync(() -> candidates(table, paused, now, "instance-b"));
      Awaitility.await("instance B's scan paused on the group's second entry")
          .atMost(30, TimeUnit.SECONDS)
          .until(() -> waitsOnNamedLock(gate, pause));
      release.commit();
      try (PreparedStatement ps = gate.prepareStatement("SELECT RELEASE_LOCK(?)")) {
        ps.setString(1, pause);
        ps.executeQuery().close();
      }
      List<String> offered = claimB.get(60, TimeUnit.SECONDS);
      boolean laterOffered = offered.contains(next.id()) || offered.contains(last.id());
      boolean headFirst = !offered.isEmpty() && offered.get(0).equals(head.id());
      assertThat(!laterOffered || headFirst)
          .as("later entries of group G offered without its head first: %s", offered)
          .isTrue();
    }
  }

  private List<String> candidates(String table, String sql, long now, String owner) {
    try (Connection c = database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps =
                c.prepareStatement(dialect().claimLockSql(table).orElseThrow());
            ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("claim lock row").isTrue();
        }
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setLong(1, now);
          ps.setLong(2, now);
          ps.setString(3, owner);
          ps.setInt(4, 100);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getString("id"));
            }
          }
        }
        return ids;
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void lockByName(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, 10)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next() && rs.getInt(1) == 1).as("named lock taken").isTrue();
      }
    }
  }

  private static boolean waitsOnNamedLock(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.processlist"
                + " WHERE state = 'User lock' AND info LIKE ?")) {
      ps.setString(1, "%" + name + "%");
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) > 0;
      }
    }
  }
}
