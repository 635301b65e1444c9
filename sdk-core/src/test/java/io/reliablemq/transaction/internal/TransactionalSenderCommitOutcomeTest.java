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
import io.reliablemq.testsupport.FaultyDataSource;
import io.reliablemq.transaction.TransactionInDoubtException;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A local commit that throws: the message is committed if and only if the transaction-log row
 * exists, never rolled back while the database may have committed.
 */
class TransactionalSenderCommitOutcomeTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> decisions = Collections.synchronizedList(new ArrayList<>());
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private final MutableClock clock = new MutableClock(START);
  private JdbcDataSource h2;
  private Connection keepAlive;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:txoutcome-" + UUID.randomUUID());
    keepAlive = h2.getConnection();
    try (Statement s = keepAlive.createStatement()) {
      s.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
    }
  }

  @AfterEach
  void tearDown() throws SQLException {
    keepAlive.close();
  }

  private TransactionalSenderImpl sender(DataSource ds) {
    TransactionalSenderConfig config =
        TransactionalSenderConfig.custom(
                ClientSettings.custom().endpoints("127.0.0.1:1").sslEnabled(false).build(), ds)
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
        config, ClientServiceProvider.loadService(), () -> new RecordingTxProducer(decisions));
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

  private static String insertOrder(Connection c, String id) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO orders VALUES ('" + id + "')");
    }
    return "done " + id;
  }

  private TransactionDecision checkBack(TransactionalSenderImpl sender, String id) {
    return sender
        .transactionCheck()
        .check(
            new CheckRequest(
                "orders", id, TransactionCheck.LOG_TYPE, "MSG-" + id, START, Map.of()));
  }

  private double outcomes(String outcome) {
    return registry.get("reliablemq.tx").tag("outcome", outcome).counter().count();
  }

  @Test
  void commitThatCommitsThenThrows_commitsTheMessage_becauseTheLogRowExists() throws Exception {
    FaultyDataSource ds = new FaultyDataSource(h2, FaultyDataSource.Fault.COMMIT_THEN_THROW);
    ds.armed = false;
    try (TransactionalSenderImpl sender = sender(ds)) {
      ds.armed = true;
      TransactionResult<String> r = sender.send(order("o-1"), c -> insertOrder(c, "o-1"));

      assertThat(ds.faults).as("the commit threw").hasValue(1);
      assertThat(r.status()).isEqualTo(TransactionStatus.COMMITTED);
      assertThat(r.value()).isEqualTo("done o-1");
    }
    assertThat(decisions).containsExactly("commit o-1");
    assertThat(rows("SELECT COUNT(*) FROM orders")).isEqualTo(1);
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log WHERE status = 'COMMITTED'")).isEqualTo(1);
    assertThat(outcomes("committed")).isEqualTo(1.0);
    assertThat(outcomes("rolled_back")).isZero();
  }

  @Test
  void closeThatThrowsAfterAGoodCommit_commitsTheMessage() throws Exception {
    FaultyDataSource ds = new FaultyDataSource(h2, FaultyDataSource.Fault.CLOSE_THROWS);
    ds.armed = false;
    try (TransactionalSenderImpl sender = sender(ds)) {
      ds.armed = true;
      TransactionResult<String> r = sender.send(order("o-2"), c -> insertOrder(c, "o-2"));

      assertThat(ds.faults).as("the close threw").hasPositiveValue();
      assertThat(r.status()).isEqualTo(TransactionStatus.COMMITTED);
      assertThat(r.value()).isEqualTo("done o-2");
    }
    assertThat(decisions).containsExactly("commit o-2");
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log WHERE status = 'COMMITTED'")).isEqualTo(1);
  }

  @Test
  void commitThatThrowsWithoutCommitting_leavesTheMessageToTheCheckBack_whichRollsItBack()
      throws Exception {
    FaultyDataSource ds = new FaultyDataSource(h2, FaultyDataSource.Fault.THROW_INSTEAD_OF_COMMIT);
    ds.armed = false;
    try (TransactionalSenderImpl sender = sender(ds)) {
      ds.armed = true;
      assertThatThrownBy(() -> sender.send(order("o-3"), c -> insertOrder(c, "o-3")))
          .isInstanceOfSatisfying(
              TransactionInDoubtException.class,
              e -> {
                assertThat(e.reliableId()).isEqualTo("o-3");
                assertThat(e.messageId()).hasValue("MSG-o-3");
                assertThat(e.getCause()).hasMessageContaining("connection reset");
                assertThat(e.getMessage()).contains("check-back");
              });
      assertThat(ds.faults).as("the commit threw").hasValue(1);
      // Neither committed nor rolled back by the send: the check-back decides from the log.
      assertThat(decisions).isEmpty();
      assertThat(checkBack(sender, "o-3")).isEqualTo(TransactionDecision.UNKNOWN);
      clock.advance(Duration.ofMinutes(2));
      assertThat(checkBack(sender, "o-3")).isEqualTo(TransactionDecision.ROLLBACK);
    }
    assertThat(rows("SELECT COUNT(*) FROM orders")).isZero();
    assertThat(outcomes("in_doubt")).isEqualTo(1.0);
    assertThat(outcomes("rolled_back")).isZero();
  }

  @Test
  void workThatThrows_stillRollsTheMessageBack() throws Exception {
    try (TransactionalSenderImpl sender = sender(h2)) {
      assertThatThrownBy(
              () ->
                  sender.send(
                      order("o-4"),
                      c -> {
                        insertOrder(c, "o-4");
                        throw new IllegalStateException("business rule");
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("business rule");
    }
    assertThat(decisions).containsExactly("rollback o-4");
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log")).isZero();
  }
}
