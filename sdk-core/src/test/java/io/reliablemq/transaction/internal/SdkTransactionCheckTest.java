package io.reliablemq.transaction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CheckRequest;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import io.reliablemq.transaction.TransactionLogDialect;
import io.reliablemq.transaction.internal.TxMetrics.Outcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SdkTransactionCheckTest {
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private JdbcDataSource dataSource;
  private Connection keepAlive;
  private JdbcTransactionLog log;
  private JdbcFallbackStore outbox;
  private SdkTransactionCheck check;

  @BeforeEach
  void setUp() throws SQLException {
    dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:txcheck-" + UUID.randomUUID() + ";LOCK_TIMEOUT=200");
    keepAlive = dataSource.getConnection();
    log =
        new JdbcTransactionLog(
            dataSource, TransactionLogDialect.h2(), "rmq", SchemaManagement.AUTO);
    outbox =
        JdbcFallbackStore.create(
            dataSource, H2Dialect.INSTANCE, FallbackStoreConfig.custom().maxRows(10).build());
    check =
        new SdkTransactionCheck(
            log,
            outbox,
            Map.of(
                "legacy-order",
                r -> TransactionDecision.COMMIT,
                "broken",
                r -> {
                  throw new IllegalStateException("checker bug");
                }),
            GRACE,
            clock,
            new TxMetrics(registry));
  }

  @AfterEach
  void tearDown() throws SQLException {
    outbox.close();
    keepAlive.close();
  }

  private CheckRequest request(String id, String type, Instant bornAt) {
    return new CheckRequest("orders", id, type, "MSG", bornAt, Map.of());
  }

  private double count(String resolution, String reason) {
    return registry
        .get("reliablemq.tx.check")
        .tag("resolution", resolution)
        .tag("reason", reason)
        .counter()
        .count();
  }

  private void insertCommitted(String id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      log.insertCommitted(c, id, "orders", TransactionCheck.LOG_TYPE, clock.instant());
      c.commit();
    }
  }

  @Test
  void committedLogRow_answersCommit() throws SQLException {
    insertCommitted("id-1");

    assertThat(check.check(request("id-1", TransactionCheck.LOG_TYPE, clock.instant())))
        .isEqualTo(TransactionDecision.COMMIT);
    assertThat(count("commit", "log")).isEqualTo(1.0);
  }

  @Test
  void noRowWithinGracePeriod_answersUnknownAndWritesNothing() throws SQLException {
    Instant born = clock.instant();
    clock.advance(GRACE.minusSeconds(1));

    assertThat(check.check(request("id-2", TransactionCheck.LOG_TYPE, born)))
        .isEqualTo(TransactionDecision.UNKNOWN);
    assertThat(log.find("id-2")).isEmpty();
    assertThat(count("unknown", "pending")).isEqualTo(1.0);
  }

  @Test
  void noRowAfterGracePeriod_writesRolledBackMarkerThenAnswersRollback() throws SQLException {
    Instant born = clock.instant();
    clock.advance(GRACE);

    assertThat(check.check(request("id-3", TransactionCheck.LOG_TYPE, born)))
        .isEqualTo(TransactionDecision.ROLLBACK);
    assertThat(log.find("id-3")).contains(TransactionLogDialect.ROLLED_BACK);
    assertThat(count("rollback", "grace")).isEqualTo(1.0);
    // Asked again (the broker retries when an answer is lost): the marker answers.
    assertThat(check.check(request("id-3", TransactionCheck.LOG_TYPE, born)))
        .isEqualTo(TransactionDecision.ROLLBACK);
    assertThat(count("rollback", "log")).isEqualTo(1.0);
  }

  @Test
  void lateLocalCommit_failsOnTheMarkersUniqueKey() throws SQLException {
    Instant born = clock.instant();
    clock.advance(GRACE.plusSeconds(5));
    check.check(request("id-4", TransactionCheck.LOG_TYPE, born));

    assertThatThrownBy(() -> insertCommitted("id-4"))
        .isInstanceOf(SQLException.class)
        .matches(JdbcTransactionLog::isDuplicateKey, "a duplicate key");
    assertThat(log.find("id-4")).contains(TransactionLogDialect.ROLLED_BACK);
  }

  @Test
  void localTransactionStillHoldingItsRow_keepsTheCheckFromRollingBack() throws SQLException {
    Instant born = clock.instant();
    clock.advance(GRACE.plusSeconds(5));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      log.insertCommitted(c, "id-5", "orders", TransactionCheck.LOG_TYPE, clock.instant());
      // The local transaction is still open: its row is invisible and locked.
      assertThat(check.check(request("id-5", TransactionCheck.LOG_TYPE, born)))
          .isEqualTo(TransactionDecision.UNKNOWN);
      c.commit();
    }
    assertThat(check.check(request("id-5", TransactionCheck.LOG_TYPE, born)))
        .isEqualTo(TransactionDecision.COMMIT);
  }

  @Test
  void idStillInTheOutbox_answersCommitEvenWithoutLogRow() {
    Instant born = clock.instant();
    outbox.append(ReliableMessage.builder("orders").body("x").id("id-6").build(), true);
    clock.advance(GRACE.multipliedBy(10));

    assertThat(check.check(request("id-6", TransactionCheck.LOG_TYPE, born)))
        .isEqualTo(TransactionDecision.COMMIT);
    assertThat(count("commit", "replay")).isEqualTo(1.0);
  }

  @Test
  void registeredBusinessType_isDecidedByItsChecker() {
    assertThat(check.check(request("id-7", "legacy-order", clock.instant())))
        .isEqualTo(TransactionDecision.COMMIT);
    assertThat(count("commit", "handler")).isEqualTo(1.0);
  }

  @Test
  void failingChecker_answersUnknown() {
    assertThat(check.check(request("id-8", "broken", clock.instant())))
        .isEqualTo(TransactionDecision.UNKNOWN);
    assertThat(count("unknown", "error")).isEqualTo(1.0);
  }

  @Test
  void unknownOrMissingBusinessType_answersUnknownAndIsCounted() {
    Instant born = clock.instant();
    clock.advance(GRACE.multipliedBy(10));

    assertThat(check.check(request("id-9", "nobody-knows", born)))
        .isEqualTo(TransactionDecision.UNKNOWN);
    assertThat(check.check(request(null, null, born))).isEqualTo(TransactionDecision.UNKNOWN);
    assertThat(count("unknown", "unknown_type")).isEqualTo(2.0);
    // Never rolled back on a guess: no marker for a message the log does not decide.
    assertThat(uncheckedFind("id-9")).isEmpty();
  }

  @Test
  void metersAreCreatedOnce_forEveryResolutionAndReason() {
    assertThat(registry.find("reliablemq.tx.check").counters()).hasSize(7 * 3);
    assertThat(registry.find("reliablemq.tx").counters()).hasSize(Outcome.values().length);
    new TxMetrics(registry);
    assertThat(registry.find("reliablemq.tx.check").counters()).hasSize(7 * 3);
  }

  private Optional<String> uncheckedFind(String id) {
    try {
      return log.find(id);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
