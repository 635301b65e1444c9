package io.reliablemq.it.transaction;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.transaction.LocalTransactionRunner;
import io.reliablemq.transaction.TransactionalSender;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;

/** Settings shared by the transactional ITs and their child JVM. */
final class TxFixtures {
  /** The broker asks about a half message this long after it was sent, then at this interval. */
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  /** The grace period of the senders in these tests. */
  static final Duration GRACE = Duration.ofSeconds(4);

  private TxFixtures() {}

  /** A broker whose check-backs come within seconds instead of 6 s + 30 s steps. */
  static EmbeddedRocketMQ fastCheckBroker() {
    return EmbeddedRocketMQ.builder()
        .brokerProperty("transactionTimeOut", String.valueOf(CHECK_INTERVAL.toMillis()))
        .brokerProperty("transactionCheckInterval", String.valueOf(CHECK_INTERVAL.toMillis()))
        .build()
        .start();
  }

  /** The business database: an H2 file, durable across a kill -9 of its process. */
  static JdbcDataSource database(Path dir) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("business") + ";WRITE_DELAY=0");
    ds.setUser("biz");
    ds.setPassword("");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY)");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return ds;
  }

  static TransactionalSenderConfig.Builder config(
      String endpoints, javax.sql.DataSource ds, String topic, MeterRegistry registry) {
    return TransactionalSenderConfig.custom(
            ClientSettings.custom()
                .endpoints(endpoints)
                .sslEnabled(false)
                .requestTimeout(Duration.ofSeconds(2))
                .build(),
            ds)
        .gracePeriod(GRACE)
        .topics(topic)
        .meterRegistry(registry)
        .retry(
            SendRetryConfig.custom()
                .maxAttempts(2)
                .initialBackoff(Duration.ofMillis(50))
                .maxBackoff(Duration.ofMillis(200))
                .totalDeadline(Duration.ofSeconds(5))
                .build())
        .replay(
            ReplayConfig.custom()
                .idlePoll(Duration.ofMillis(200))
                .initialBackoff(Duration.ofMillis(200))
                .maxBackoff(Duration.ofSeconds(2))
                .build());
  }

  static TransactionalSender sender(
      String endpoints, JdbcDataSource ds, String topic, MeterRegistry registry) {
    return TransactionalSender.create(config(endpoints, ds, topic, registry).build());
  }

  static TransactionalSender sender(
      String endpoints,
      JdbcDataSource ds,
      String topic,
      MeterRegistry registry,
      LocalTransactionRunner runner,
      JdbcFallbackStore outbox) {
    TransactionalSenderConfig.Builder b = config(endpoints, ds, topic, registry).outbox(outbox);
    if (runner != null) {
      b.localTransactionRunner(runner);
    }
    return TransactionalSender.create(b.build());
  }

  static void insertOrder(Connection c, String id) throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO orders (id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  static boolean orderExists(JdbcDataSource ds, String id) {
    return count(ds, "SELECT COUNT(*) FROM orders WHERE id = '" + id + "'") > 0;
  }

  static String logStatus(JdbcDataSource ds, String id) {
    try (Connection c = ds.getConnection();
        var ps = c.prepareStatement("SELECT status FROM rmq_tx_log WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(JdbcDataSource ds, String sql) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
