package io.reliablemq.transaction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.ReliableMQException;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.transaction.TransactionLogDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of {@link JdbcTransactionLog} on every database: the COMMITTED row goes with the
 * local transaction, the ROLLED_BACK marker and a late local commit exclude each other through the
 * primary key, even when they race. A subclass supplies a data source whose tables under {@link
 * #prefix()} are fresh for each test, and the dialect.
 */
abstract class TransactionLogContractTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  protected JdbcTransactionLog log;

  /**
   * The database under test.
   *
   * @return a data source
   */
  protected abstract DataSource dataSource();

  /**
   * The dialect of {@link #dataSource()}.
   *
   * @return the dialect
   */
  protected abstract TransactionLogDialect dialect();

  /**
   * The table prefix of this test, unique to it.
   *
   * @return the prefix
   */
  protected abstract String prefix();

  @BeforeEach
  void openLog() {
    log = new JdbcTransactionLog(dataSource(), dialect(), prefix(), SchemaManagement.AUTO);
  }

  private void commitLocal(String id) throws SQLException {
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        log.insertCommitted(c, id, "orders", "order", T0);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  @Test
  void committedRow_isFound_onlyAfterTheLocalTransactionCommits() throws SQLException {
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      log.insertCommitted(c, "rolled-back", "orders", "order", T0);
      c.rollback();
      log.insertCommitted(c, "committed", "orders", "order", T0);
      c.commit();
    }

    assertThat(log.find("rolled-back")).isEmpty();
    assertThat(log.find("committed")).contains(TransactionLogDialect.COMMITTED);
    assertThat(log.find("unknown")).isEmpty();
  }

  @Test
  void rollbackMarker_isInsertedOnce_andAnswersLaterLookups() throws SQLException {
    assertThat(log.insertRolledBack("m-1", "orders", null, T0)).isTrue();
    assertThat(log.insertRolledBack("m-1", "orders", null, T0)).isFalse();

    assertThat(log.find("m-1")).contains(TransactionLogDialect.ROLLED_BACK);
  }

  @Test
  void rollbackMarker_isRefused_whenTheLocalTransactionCommittedFirst() throws SQLException {
    commitLocal("c-1");

    assertThat(log.insertRolledBack("c-1", "orders", null, T0)).isFalse();
    assertThat(log.find("c-1")).contains(TransactionLogDialect.COMMITTED);
  }

  @Test
  void lateLocalCommit_failsOnTheMarkersUniqueKey() throws SQLException {
    log.insertRolledBack("late-1", "orders", null, T0);

    assertThatThrownBy(() -> commitLocal("late-1"))
        .isInstanceOf(SQLException.class)
        .matches(JdbcTransactionLog::isDuplicateKey, "a duplicate key");
    assertThat(log.find("late-1")).contains(TransactionLogDialect.ROLLED_BACK);
  }

  /**
   * The check-back's marker and the local commit race on each id: exactly one wins, and what is
   * stored is what the winner wrote.
   */
  @Test
  void markerAndLocalCommit_racingOnOneId_exactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 20; i++) {
        String id = "race-" + i;
        CountDownLatch start = new CountDownLatch(1);
        Callable<Boolean> local =
            () -> {
              start.await();
              try {
                commitLocal(id);
                return true;
              } catch (SQLException e) {
                if (JdbcTransactionLog.isDuplicateKey(e)) {
                  return false;
                }
                throw e;
              }
            };
        Callable<Boolean> marker =
            () -> {
              start.await();
              return log.insertRolledBack(id, "orders", null, T0);
            };
        Future<Boolean> l = pool.submit(local);
        Future<Boolean> m = pool.submit(marker);
        start.countDown();
        boolean localWon = l.get(60, TimeUnit.SECONDS);
        boolean markerWon = m.get(60, TimeUnit.SECONDS);

        assertThat(localWon).as("exactly one of local/marker wins %s", id).isNotEqualTo(markerWon);
        assertThat(log.find(id))
            .contains(
                localWon ? TransactionLogDialect.COMMITTED : TransactionLogDialect.ROLLED_BACK);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void purgeBefore_deletesOnlyOlderRows() throws SQLException {
    log.insertRolledBack("old", "orders", null, T0);
    log.insertRolledBack("new", "orders", null, T0.plusSeconds(60));

    assertThat(log.purgeBefore(T0.plusSeconds(30))).isEqualTo(1);

    assertThat(log.find("old")).isEmpty();
    assertThat(log.find("new")).isPresent();
  }

  @Test
  void reopening_findsTheSchemaCurrent_andKeepsRows() throws SQLException {
    log.insertRolledBack("kept", "orders", null, T0);

    JdbcTransactionLog again =
        new JdbcTransactionLog(dataSource(), dialect(), prefix(), SchemaManagement.NONE);

    assertThat(again.find("kept")).contains(TransactionLogDialect.ROLLED_BACK);
  }

  @Test
  void schemaNone_failsNamingTheDdl_whenTheTableIsMissing_andTheDdlCreatesIt() throws Exception {
    String other = prefix() + "_x";
    assertThatThrownBy(
            () -> new JdbcTransactionLog(dataSource(), dialect(), other, SchemaManagement.NONE))
        .isInstanceOf(ReliableMQException.class)
        .hasMessageContaining("JdbcTransactionLog.ddl");

    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String sql : statements(JdbcTransactionLog.ddl(dialect(), other))) {
        s.execute(sql);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
    assertThat(
            new JdbcTransactionLog(dataSource(), dialect(), other, SchemaManagement.NONE)
                .find("none"))
        .isEqualTo(Optional.empty());
  }

  private static List<String> statements(String ddl) {
    List<String> out = new ArrayList<>();
    for (String stmt : ddl.split(";\n")) {
      String sql =
          stmt.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + "\n" + b).trim();
      if (!sql.isEmpty()) {
        out.add(sql);
      }
    }
    return out;
  }
}
