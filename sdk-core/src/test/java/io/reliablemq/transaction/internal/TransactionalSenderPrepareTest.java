package io.reliablemq.transaction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CheckRequest;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import io.reliablemq.transaction.LocalTransactionException;
import io.reliablemq.transaction.PreparedTransaction;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionUnavailableException;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two-phase form ({@link io.reliablemq.transaction.TransactionalSender#prepare}): the caller's
 * own transaction writes the log row, then the message is committed or rolled back.
 */
class TransactionalSenderPrepareTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> decisions = new ArrayList<>();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private JdbcDataSource dataSource;
  private Connection keepAlive;
  private boolean brokerDown;

  @BeforeEach
  void setUp() throws SQLException {
    dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:txprepare-" + UUID.randomUUID());
    keepAlive = dataSource.getConnection();
    try (Statement s = keepAlive.createStatement()) {
      s.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
    }
  }

  @AfterEach
  void tearDown() throws SQLException {
    keepAlive.close();
  }

  private TransactionalSenderImpl sender() {
    TransactionalSenderConfig config =
        TransactionalSenderConfig.custom(
                ClientSettings.custom().endpoints("127.0.0.1:1").sslEnabled(false).build(),
                dataSource)
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMillis(5))
                    .maxBackoff(Duration.ofMillis(10))
                    .totalDeadline(Duration.ofSeconds(2))
                    .build())
            .clock(clock)
            .meterRegistry(registry)
            .build();
    return TransactionalSenderImpl.create(
        config,
        ClientServiceProvider.loadService(),
        () -> {
          if (brokerDown) {
            throw new ClientException("proxy unreachable");
          }
          return new RecordingTxProducer(decisions);
        });
  }

  private long rows(String sql) throws SQLException {
    try (Statement s = keepAlive.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static ReliableMessage order(String id) {
    return ReliableMessage.builder("orders").body("order " + id).id(id).build();
  }

  /** The caller's own transaction: log row and business row, then commit or roll back. */
  private void callersTransaction(PreparedTransaction p, boolean commit) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      p.writeLog(c);
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO orders VALUES ('" + p.reliableId() + "')");
      }
      if (commit) {
        c.commit();
      } else {
        c.rollback();
      }
    }
  }

  private TransactionDecision checkBack(TransactionalSenderImpl sender, String id) {
    return sender
        .transactionCheck()
        .check(
            new CheckRequest(
                "orders",
                id,
                TransactionCheck.LOG_TYPE,
                "MSG-" + id,
                Instant.parse("2026-01-01T00:00:00Z"),
                Map.of()));
  }

  @Test
  void prepare_sendsTheHalfOnly_andCommitAfterTheCallersCommit_commitsTheMessage()
      throws SQLException {
    try (TransactionalSenderImpl sender = sender()) {
      PreparedTransaction p = sender.prepare(order("o-1"));
      assertThat(p.messageId()).isEqualTo("MSG-o-1");
      assertThat(decisions).isEmpty();

      callersTransaction(p, true);
      assertThat(p.commit()).isEqualTo(TransactionStatus.COMMITTED);
    }
    assertThat(decisions).containsExactly("commit o-1");
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log WHERE status = 'COMMITTED'")).isEqualTo(1);
    assertThat(registry.get("reliablemq.tx").tag("outcome", "committed").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void callersRollback_thenRollback_dropsTheMessage_andLeavesNoRow() throws SQLException {
    try (TransactionalSenderImpl sender = sender()) {
      PreparedTransaction p = sender.prepare(order("o-2"));
      callersTransaction(p, false);
      p.rollback();
    }
    assertThat(decisions).containsExactly("rollback o-2");
    assertThat(rows("SELECT COUNT(*) FROM orders")).isZero();
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log")).isZero();
    assertThat(registry.get("reliablemq.tx").tag("outcome", "rolled_back").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void crashBetweenTheCallersEndAndTheDecision_isDecidedByTheCheckBack() throws SQLException {
    try (TransactionalSenderImpl sender = sender()) {
      PreparedTransaction committed = sender.prepare(order("o-3"));
      callersTransaction(committed, true);
      PreparedTransaction rolledBack = sender.prepare(order("o-4"));
      callersTransaction(rolledBack, false);
      // Neither commit() nor rollback() is called: the process "died" here.

      assertThat(checkBack(sender, "o-3")).isEqualTo(TransactionDecision.COMMIT);
      assertThat(checkBack(sender, "o-4")).isEqualTo(TransactionDecision.UNKNOWN);
      clock.advance(Duration.ofMinutes(2));
      assertThat(checkBack(sender, "o-4")).isEqualTo(TransactionDecision.ROLLBACK);
    }
    assertThat(decisions).isEmpty();
  }

  @Test
  void writeLog_afterTheCheckBackRolledBack_refusesTheCallersTransaction() throws SQLException {
    try (TransactionalSenderImpl sender = sender()) {
      PreparedTransaction p = sender.prepare(order("o-5"));
      clock.advance(Duration.ofMinutes(2));
      assertThat(checkBack(sender, "o-5")).isEqualTo(TransactionDecision.ROLLBACK);

      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        assertThatThrownBy(() -> p.writeLog(c))
            .isInstanceOfSatisfying(
                LocalTransactionException.class, e -> assertThat(e.reliableId()).isEqualTo("o-5"));
        c.rollback();
      }
      p.rollback();
    }
  }

  @Test
  void commitWithoutTheLogRow_orDecidingTwice_isRefused() throws SQLException {
    try (TransactionalSenderImpl sender = sender()) {
      PreparedTransaction p = sender.prepare(order("o-6"));
      assertThatThrownBy(p::commit)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("without its transaction log row");
      callersTransaction(p, true);
      p.commit();
      assertThatThrownBy(p::rollback)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("decided already");
    }
    assertThat(decisions).containsExactly("commit o-6");
  }

  @Test
  void brokerDown_prepareThrowsUnavailable_beforeAnyLocalWork() throws SQLException {
    brokerDown = true;
    try (TransactionalSenderImpl sender = sender()) {
      assertThatThrownBy(() -> sender.prepare(order("o-7")))
          .isInstanceOf(TransactionUnavailableException.class);
    }
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log")).isZero();
    assertThat(registry.get("reliablemq.tx").tag("outcome", "failed").counter().count())
        .isEqualTo(1.0);
  }
}
