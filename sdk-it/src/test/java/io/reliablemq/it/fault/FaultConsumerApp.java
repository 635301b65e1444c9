package io.reliablemq.it.fault;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.H2DedupDialect;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The consumer application of the fault suite: two transactional consumers (a normal group on the
 * normal topic, a FIFO group on the FIFO topic) whose handler inserts one {@code processed} row per
 * message inside the business transaction that also writes the SDK's CONSUMED mark, so the row and
 * the mark commit together. The table has no unique key, so a second processing shows as a second
 * row. Every 300 ms it prints {@code P <id> <-|F>} for newly committed rows (F: FIFO), and {@code
 * STATS <deliveries> <duplicates>}.
 *
 * <p>Arguments: database path (without {@code .mv.db}), endpoints, normal group, normal topic, FIFO
 * group, FIFO topic.
 */
public final class FaultConsumerApp {
  private FaultConsumerApp() {}

  /**
   * Runs until killed.
   *
   * @param args see the class comment
   * @throws Exception on set-up failure
   */
  public static void main(String[] args) throws Exception {
    io.reliablemq.it.support.ChildJvm.exitWithParent();
    String db = args[0];
    String endpoints = args[1];
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + db + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS processed (pk BIGINT AUTO_INCREMENT PRIMARY KEY,"
              + " id VARCHAR(64) NOT NULL, topic VARCHAR(128) NOT NULL, grp VARCHAR(64),"
              + " seq BIGINT NOT NULL, attempt INT NOT NULL)");
    }
    JdbcDedupStore store =
        JdbcDedupStore.create(h2, H2DedupDialect.INSTANCE, DedupStoreConfig.ofDefaults());
    ReliableConsumer normal = start(h2, store, endpoints, args[2], args[3]);
    ReliableConsumer fifo = start(h2, store, endpoints, args[4], args[5]);
    out.println("READY");
    // Identity values are taken at insert but become visible at commit, so a row can appear
    // behind one already printed: re-scan a window below the highest printed key.
    long last = 0;
    java.util.Set<Long> printed = new java.util.HashSet<>();
    while (true) {
      try (Connection c = h2.getConnection();
          PreparedStatement ps =
              c.prepareStatement("SELECT pk, id, grp FROM processed WHERE pk > ? ORDER BY pk")) {
        ps.setLong(1, last - 10_000);
        try (ResultSet rs = ps.executeQuery()) {
          StringBuilder sb = new StringBuilder();
          while (rs.next()) {
            long pk = rs.getLong(1);
            if (!printed.add(pk)) {
              continue;
            }
            last = Math.max(last, pk);
            String grp = rs.getString(3);
            sb.append("P ").append(rs.getString(2)).append(grp == null ? " -" : " F").append('\n');
          }
          out.print(sb);
        }
      }
      out.println(
          "STATS "
              + (normal.stats().deliveries() + fifo.stats().deliveries())
              + " "
              + (normal.stats().duplicates() + fifo.stats().duplicates()));
      TimeUnit.MILLISECONDS.sleep(300);
    }
  }

  private static ReliableConsumer start(
      JdbcDataSource h2, JdbcDedupStore store, String endpoints, String group, String topic) {
    return ReliableConsumer.startTransactional(
        ReliableConsumerConfig.custom(
                ClientSettings.custom()
                    .endpoints(endpoints)
                    .sslEnabled(false)
                    .requestTimeout(Duration.ofSeconds(2))
                    .build(),
                group)
            .subscribe(topic, "*")
            .consumptionThreadCount(4)
            .dedup(
                DedupConfig.custom(store)
                    .lease(Duration.ofSeconds(5))
                    .leaseRenewInterval(Duration.ofSeconds(1))
                    .build())
            .build(),
        h2,
        FaultConsumerApp::record);
  }

  private static void record(ReceivedMessage m, Connection c) throws Exception {
    String body = m.bodyAsString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO processed (id, topic, grp, seq, attempt) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, m.reliableId().orElseThrow());
      ps.setString(2, m.topic());
      ps.setString(3, m.messageGroup().orElse(null));
      ps.setLong(4, Long.parseLong(body.substring(body.indexOf('-') + 1)));
      ps.setInt(5, m.deliveryAttempt());
      ps.executeUpdate();
    }
  }
}
