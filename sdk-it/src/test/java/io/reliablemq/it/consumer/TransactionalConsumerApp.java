package io.reliablemq.it.consumer;

import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.H2DedupDialect;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The consumer that {@link TransactionalConsumerKillIT} kills. A transactional handler inserts one
 * effect row per message into the business database (an H2 file, which also holds the dedup table).
 * For the message whose body is {@code kill-me}, once its transaction has committed, the commit
 * call blocks and the app prints {@code COMMITTED <id>}: the listener never returns, so the message
 * is never acknowledged, and the test SIGKILLs the process in exactly that window.
 *
 * <p>Arguments: database path (without {@code .mv.db}), endpoints, consumer group, topic, mode
 * ({@code block} to block after the kill-me commit, {@code run} to consume normally).
 */
public final class TransactionalConsumerApp {
  private static final ThreadLocal<String> TARGET = new ThreadLocal<>();

  private TransactionalConsumerApp() {}

  /**
   * Runs until killed.
   *
   * @param args database path, endpoints, group, topic, mode
   * @throws Exception on set-up failure
   */
  public static void main(String[] args) throws Exception {
    String db = args[0];
    String endpoints = args[1];
    String group = args[2];
    String topic = args[3];
    boolean block = "block".equals(args[4]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + db + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      // No unique key on purpose: a second processing would show as a second row.
      s.execute("CREATE TABLE IF NOT EXISTS effects (id VARCHAR(64) NOT NULL, body VARCHAR(64))");
    }
    CountDownLatch forever = new CountDownLatch(1);
    javax.sql.DataSource business = blockingAfterTargetCommit(h2, out, block, forever);
    JdbcDedupStore store =
        JdbcDedupStore.create(h2, H2DedupDialect.INSTANCE, DedupStoreConfig.ofDefaults());
    ReliableConsumer consumer =
        ReliableConsumer.startTransactional(
            ReliableConsumerConfig.custom(ConsumerFixtures.client(endpoints), group)
                .subscribe(topic, "*")
                .consumptionThreadCount(2)
                .dedup(
                    DedupConfig.custom(store)
                        .lease(Duration.ofSeconds(5))
                        .leaseRenewInterval(Duration.ofSeconds(1))
                        .build())
                .build(),
            business,
            (m, c) -> {
              try (PreparedStatement ps =
                  c.prepareStatement("INSERT INTO effects (id, body) VALUES (?, ?)")) {
                ps.setString(1, m.reliableId().orElseThrow());
                ps.setString(2, m.bodyAsString());
                ps.executeUpdate();
              }
              if (m.bodyAsString().equals("kill-me")) {
                TARGET.set(m.reliableId().orElseThrow());
              }
            });
    out.println("READY");
    while (true) {
      out.println("STATS " + consumer.stats().deliveries() + " " + consumer.stats().duplicates());
      if (forever.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        return;
      }
    }
  }

  /** A data source whose connections block in commit() after committing the target message. */
  private static javax.sql.DataSource blockingAfterTargetCommit(
      JdbcDataSource h2, PrintStream out, boolean block, CountDownLatch forever) {
    return (javax.sql.DataSource)
        Proxy.newProxyInstance(
            TransactionalConsumerApp.class.getClassLoader(),
            new Class<?>[] {javax.sql.DataSource.class},
            (proxy, method, margs) -> {
              Object r = invoke(method, h2, margs);
              if (!method.getName().equals("getConnection")) {
                return r;
              }
              Connection real = (Connection) r;
              return Proxy.newProxyInstance(
                  TransactionalConsumerApp.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p2, m2, a2) -> {
                    Object res = invoke(m2, real, a2);
                    String target = TARGET.get();
                    if (m2.getName().equals("commit") && target != null) {
                      TARGET.remove();
                      out.println("COMMITTED " + target);
                      if (block) {
                        // Effect and mark are committed; the ack is never sent.
                        forever.await();
                      }
                    }
                    return res;
                  });
            });
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof SQLException ? e.getCause() : e.getCause();
    }
  }
}
