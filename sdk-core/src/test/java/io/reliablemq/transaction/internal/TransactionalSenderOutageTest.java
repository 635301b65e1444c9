package io.reliablemq.transaction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.InvalidMessageException;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionUnavailableException;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sender with a client that never starts: the broker is unreachable. */
class TransactionalSenderOutageTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger builds = new AtomicInteger();
  private JdbcDataSource dataSource;
  private Connection keepAlive;
  private JdbcFallbackStore outbox;

  @BeforeEach
  void setUp() throws SQLException {
    dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:txsender-" + UUID.randomUUID());
    keepAlive = dataSource.getConnection();
    try (Statement s = keepAlive.createStatement()) {
      s.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
    }
  }

  @AfterEach
  void tearDown() throws SQLException {
    if (outbox != null) {
      outbox.close();
    }
    keepAlive.close();
  }

  private TransactionalSenderImpl sender(JdbcFallbackStore store) {
    TransactionalSenderConfig config =
        TransactionalSenderConfig.custom(
                ClientSettings.custom().endpoints("127.0.0.1:1").sslEnabled(false).build(),
                dataSource)
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(3)
                    .initialBackoff(Duration.ofMillis(5))
                    .maxBackoff(Duration.ofMillis(10))
                    .totalDeadline(Duration.ofSeconds(2))
                    .build())
            .replay(ReplayConfig.custom().enabled(false).build())
            .meterRegistry(registry)
            .outbox(store)
            .build();
    return TransactionalSenderImpl.create(
        config,
        ClientServiceProvider.loadService(),
        () -> {
          builds.incrementAndGet();
          throw new ClientException("proxy unreachable");
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

  private static void insertOrder(Connection c, String id) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO orders VALUES ('" + id + "')");
    }
  }

  @Test
  void brokerDown_throwsUnavailableAndTheLocalTransactionNeverRuns() throws SQLException {
    AtomicInteger ran = new AtomicInteger();
    try (TransactionalSenderImpl sender = sender(null)) {
      assertThatThrownBy(
              () ->
                  sender.send(
                      order("o-1"),
                      c -> {
                        ran.incrementAndGet();
                        insertOrder(c, "o-1");
                        return null;
                      }))
          .isInstanceOfSatisfying(
              TransactionUnavailableException.class,
              e -> {
                assertThat(e.topic()).isEqualTo("orders");
                assertThat(e.reliableId()).isEqualTo("o-1");
                assertThat(e.attempts()).isEqualTo(3);
                assertThat(e.getCause()).isInstanceOf(ClientException.class);
              });
    }
    assertThat(ran).hasValue(0);
    assertThat(rows("SELECT COUNT(*) FROM orders")).isZero();
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log")).isZero();
    assertThat(registry.get("reliablemq.tx").tag("outcome", "failed").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void messageGroupOrDeliveryTime_isRejectedBeforeAnyIo() {
    try (TransactionalSenderImpl sender = sender(null)) {
      int before = builds.get();
      assertThatThrownBy(
              () ->
                  sender.send(
                      ReliableMessage.builder("orders").body("x").messageGroup("g").build(),
                      c -> null))
          .isInstanceOfSatisfying(
              InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messageGroup"));
      assertThatThrownBy(
              () ->
                  sender.send(
                      ReliableMessage.builder("orders")
                          .body("x")
                          .deliveryDelay(Duration.ofSeconds(5))
                          .build(),
                      c -> null))
          .isInstanceOfSatisfying(
              InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("deliveryTime"));
      assertThat(builds.get()).isEqualTo(before);
    }
  }

  @Test
  void outboxMode_commitsEffectLogRowAndMessageRowTogether() throws SQLException {
    outbox =
        JdbcFallbackStore.create(
            dataSource, H2Dialect.INSTANCE, FallbackStoreConfig.custom().maxRows(1).build());
    try (TransactionalSenderImpl sender = sender(outbox)) {
      TransactionResult<String> r =
          sender.send(
              order("o-2"),
              c -> {
                insertOrder(c, "o-2");
                return "done";
              });

      assertThat(r.status()).isEqualTo(TransactionStatus.STORED);
      assertThat(r.value()).isEqualTo("done");
      assertThat(r.messageId()).isEmpty();
    }
    assertThat(rows("SELECT COUNT(*) FROM orders")).isEqualTo(1);
    assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log WHERE status = 'COMMITTED'")).isEqualTo(1);
    assertThat(outbox.find("o-2"))
        .hasValueSatisfying(
            e -> {
              assertThat(e.transactional()).isTrue();
              assertThat(e.message().properties())
                  .containsEntry(TransactionCheck.TYPE_PROPERTY, TransactionCheck.LOG_TYPE);
            });
    assertThat(registry.get("reliablemq.tx").tag("outcome", "committed").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void outboxMode_rolledBackLocalTransaction_leavesNothingAndReleasesCapacity()
      throws SQLException {
    outbox =
        JdbcFallbackStore.create(
            dataSource, H2Dialect.INSTANCE, FallbackStoreConfig.custom().maxRows(1).build());
    try (TransactionalSenderImpl sender = sender(outbox)) {
      assertThatThrownBy(
              () ->
                  sender.send(
                      order("o-3"),
                      c -> {
                        insertOrder(c, "o-3");
                        throw new IllegalStateException("business rule violated");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(rows("SELECT COUNT(*) FROM orders")).isZero();
      assertThat(rows("SELECT COUNT(*) FROM rmq_tx_log")).isZero();
      assertThat(outbox.count()).isZero();

      // Capacity is one row: had the rolled-back reservation leaked, this would be full.
      TransactionResult<Void> r =
          sender.send(
              order("o-4"),
              c -> {
                insertOrder(c, "o-4");
                return null;
              });
      assertThat(r.status()).isEqualTo(TransactionStatus.STORED);
      assertThatThrownBy(() -> sender.send(order("o-5"), c -> null))
          .isInstanceOf(FallbackStoreFullException.class);
    }
    assertThat(rows("SELECT COUNT(*) FROM orders")).isEqualTo(1);
  }

  @Test
  void appendInTransaction_rolledBackAndAbandoned_releasesTheReservation() throws SQLException {
    outbox =
        JdbcFallbackStore.create(
            dataSource, H2Dialect.INSTANCE, FallbackStoreConfig.custom().maxRows(1).build());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      var entry = outbox.appendInTransaction(c, order("r-1"), true);
      // Reserved while the transaction is open: the store counts itself full.
      assertThatThrownBy(() -> outbox.append(order("r-2"), false))
          .isInstanceOf(FallbackStoreFullException.class);
      c.rollback();
      outbox.abandonInTransaction(entry);
    }
    assertThat(outbox.count()).isZero();
    outbox.append(order("r-3"), false);
    assertThat(outbox.find("r-3")).isPresent();
  }

  @Test
  void appendInTransaction_refusesAnAutoCommitConnection() throws SQLException {
    outbox =
        JdbcFallbackStore.create(
            dataSource, H2Dialect.INSTANCE, FallbackStoreConfig.custom().maxRows(1).build());
    try (Connection c = dataSource.getConnection()) {
      assertThatThrownBy(() -> outbox.appendInTransaction(c, order("a-1"), true))
          .isInstanceOf(IllegalArgumentException.class);
    }
    // The refused append released its reservation.
    outbox.append(order("a-2"), false);
  }
}
