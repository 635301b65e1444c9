package io.reliablemq.it.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ReliableMessageListener;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link ReliableTemplate#sendInTransaction} with the application's DataSource and Spring's
 * transaction manager: the message is delivered if and only if the local work committed, and {@link
 * JdbcTemplate} inside the work joins the same transaction; inside an outer {@code @Transactional}
 * the message follows that outer transaction.
 */
@SpringBootTest(classes = SpringTransactionIT.App.class)
class SpringTransactionIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String TOPIC = EmbeddedRocketMQ.uniqueName("tx-orders");
  private static final String PAYMENTS = EmbeddedRocketMQ.uniqueName("tx-payments");
  private static final String OUTER = EmbeddedRocketMQ.uniqueName("tx-outer");
  private static final EmbeddedRocketMQ MQ = EmbeddedRocketMQ.builder().build().start();

  @Autowired ReliableTemplate template;
  @Autowired JdbcTemplate jdbc;
  @Autowired Received received;
  @Autowired Payments payments;
  @Autowired Checkout checkout;
  @Autowired OuterReceived outerReceived;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    MQ.createTopic(TOPIC, TopicType.TRANSACTION);
    MQ.createTopic(PAYMENTS, TopicType.NORMAL);
    MQ.createTopic(OUTER, TopicType.TRANSACTION);
    var dir = Files.createTempDirectory("spring-tx-it");
    registry.add("reliablemq.endpoints", MQ::endpoints);
    registry.add("reliablemq.ssl-enabled", () -> "false");
    registry.add("reliablemq.request-timeout", () -> "2s");
    registry.add("reliablemq.transaction.enabled", () -> "true");
    registry.add("reliablemq.transaction.topics", () -> TOPIC + "," + OUTER);
    registry.add("reliablemq.fallback.directory", () -> dir.resolve("fallback").toString());
    registry.add("reliablemq.dedup.directory", () -> dir.resolve("dedup").toString());
    registry.add("app.db", () -> "jdbc:h2:" + dir.resolve("business") + ";DB_CLOSE_DELAY=-1");
    registry.add("app.topic", () -> TOPIC);
    registry.add("app.payments", () -> PAYMENTS);
    registry.add("app.outer", () -> OUTER);
  }

  @AfterAll
  static void stopBroker() {
    MQ.close();
  }

  @Test
  void committedWork_isDelivered_rolledBackWork_isNot() {
    TransactionResult<Integer> committed =
        template.sendInTransaction(
            TOPIC, "order-1", c -> jdbc.update("INSERT INTO orders(id) VALUES ('order-1')"));
    assertThat(committed.status()).isEqualTo(TransactionStatus.COMMITTED);

    assertThatThrownBy(
            () ->
                template.sendInTransaction(
                    TOPIC,
                    "order-2",
                    c -> {
                      jdbc.update("INSERT INTO orders(id) VALUES ('order-2')");
                      throw new IllegalStateException("payment declined");
                    }))
        .hasMessage("payment declined");

    // A marker sent after the rolled-back message: once it arrives, the rollback has long been
    // decided (send returns only after it), so order-2 can no longer show up.
    template.sendInTransaction(TOPIC, "marker", c -> 0);
    await("order-1 and the marker").atMost(TIMEOUT).until(() -> received.bodies.size() >= 2);

    assertThat(received.bodies).containsExactlyInAnyOrder("order-1", "marker");
    assertThat(jdbc.queryForList("SELECT id FROM orders", String.class)).containsExactly("order-1");
  }

  @Test
  void outerTransactional_commitDeliversAfterTheCommit_throwDeliversNothingAndLeavesNoRows() {
    String ok = EmbeddedRocketMQ.uniqueName("outer-ok");
    TransactionResult<Integer> pending = checkout.order(ok, false);
    // Decided by the outer commit, after sendInTransaction returned.
    assertThat(pending.status()).isEqualTo(TransactionStatus.PENDING);
    await("the committed outer order")
        .atMost(TIMEOUT)
        .until(() -> outerReceived.bodies.contains(ok));
    assertThat(orderRows(ok)).isEqualTo(1);
    assertThat(logStatus(pending.reliableId())).isEqualTo("COMMITTED");

    int logRowsBefore = logRows();
    String failed = EmbeddedRocketMQ.uniqueName("outer-failed");
    assertThatThrownBy(() -> checkout.order(failed, true)).hasMessage("stock check failed");
    assertThat(checkout.lastStatus()).isEqualTo(TransactionStatus.PENDING);

    // The failed order's rollback was sent to the broker before the outer call threw; a marker
    // sent after it and received proves it can no longer show up.
    String marker = EmbeddedRocketMQ.uniqueName("outer-marker");
    checkout.order(marker, false);
    await("the marker").atMost(TIMEOUT).until(() -> outerReceived.bodies.contains(marker));

    assertThat(outerReceived.bodies).containsExactlyInAnyOrder(ok, marker);
    assertThat(orderRows(failed)).isZero();
    assertThat(logRows()).as("only the marker's log row").isEqualTo(logRowsBefore + 1);
  }

  private int orderRows(String id) {
    Integer n =
        jdbc.queryForObject("SELECT COUNT(*) FROM outer_orders WHERE id = ?", Integer.class, id);
    return n == null ? 0 : n;
  }

  private int logRows() {
    Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM rmq_tx_log", Integer.class);
    return n == null ? 0 : n;
  }

  private String logStatus(String reliableId) {
    List<String> s =
        jdbc.queryForList("SELECT status FROM rmq_tx_log WHERE id = ?", String.class, reliableId);
    return s.isEmpty() ? null : s.get(0);
  }

  @Test
  void transactionalDedupListener_commitsEffectAndMarkTogether_orNeither() {
    String ok = EmbeddedRocketMQ.uniqueName("pay-ok");
    String failing = EmbeddedRocketMQ.uniqueName("pay-fail");
    template.send(template.message(PAYMENTS, failing).id(failing).build());
    template.send(template.message(PAYMENTS, ok).id(ok).build());

    await("the successful payment and its CONSUMED mark")
        .atMost(TIMEOUT)
        .until(() -> paymentRows(ok) == 1 && "CONSUMED".equals(dedupState(ok)));
    // The claim row exists from before the method runs until the failed delivery is released, so
    // once the method ran and no dedup row is left, its transaction has been rolled back.
    await("the failing payment attempted and released")
        .atMost(TIMEOUT)
        .until(() -> payments.attempts.contains(failing) && dedupState(failing) == null);

    assertThat(paymentRows(failing)).isZero();
    assertThat(paymentRows(ok)).isEqualTo(1);
  }

  private int paymentRows(String id) {
    Integer n =
        jdbc.queryForObject("SELECT COUNT(*) FROM payments WHERE id = ?", Integer.class, id);
    return n == null ? 0 : n;
  }

  private String dedupState(String key) {
    List<String> states =
        jdbc.queryForList("SELECT state FROM rmq_dedup WHERE dedup_key = ?", String.class, key);
    return states.isEmpty() ? null : states.get(0);
  }

  /**
   * Writes the payment with {@link JdbcTemplate}, then fails for {@code pay-fail} bodies: the write
   * must vanish with the CONSUMED mark.
   */
  static class Payments {
    final List<String> attempts = new CopyOnWriteArrayList<>();
    private final JdbcTemplate jdbc;

    Payments(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @ReliableMessageListener(
        topic = "${app.payments}",
        consumerGroup = "${app.payments}-g",
        transactionalDedup = true)
    void on(String id) {
      jdbc.update("INSERT INTO payments(id) VALUES (?)", id);
      attempts.add(id);
      if (id.startsWith("pay-fail")) {
        throw new IllegalStateException("card declined after the insert");
      }
    }
  }

  /**
   * An outer {@code @Transactional} business method: the order row, then the transactional send,
   * then a check that may fail after the send.
   */
  public static class Checkout {
    private volatile TransactionStatus lastStatus;
    private final ReliableTemplate template;
    private final JdbcTemplate jdbc;

    Checkout(ReliableTemplate template, JdbcTemplate jdbc) {
      this.template = template;
      this.jdbc = jdbc;
    }

    /**
     * The status the last send returned, also when the order then failed.
     *
     * @return the status
     */
    public TransactionStatus lastStatus() {
      return lastStatus;
    }

    /**
     * Places an order.
     *
     * @param id the order id, also the message body
     * @param failAfterSend whether the outer transaction then throws
     * @return the send's result
     */
    @Transactional
    public TransactionResult<Integer> order(String id, boolean failAfterSend) {
      jdbc.update("INSERT INTO outer_orders(id) VALUES (?)", id);
      TransactionResult<Integer> r = template.sendInTransaction(OUTER, id, c -> 1);
      lastStatus = r.status();
      if (failAfterSend) {
        throw new IllegalStateException("stock check failed");
      }
      return r;
    }
  }

  /** What the outer-transaction topic's listener received. */
  static class OuterReceived {
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @ReliableMessageListener(topic = "${app.outer}", consumerGroup = "${app.outer}-g")
    void on(String body) {
      bodies.add(body);
    }
  }

  /** What the listener received. */
  static class Received {
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @ReliableMessageListener(topic = "${app.topic}", consumerGroup = "${app.topic}-g")
    void on(String body) {
      bodies.add(body);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableTransactionManagement
  static class App {
    @Bean
    DataSource dataSource(org.springframework.core.env.Environment env) {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL(env.getRequiredProperty("app.db"));
      new JdbcTemplate(ds).execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64))");
      new JdbcTemplate(ds).execute("CREATE TABLE IF NOT EXISTS payments (id VARCHAR(64))");
      new JdbcTemplate(ds).execute("CREATE TABLE IF NOT EXISTS outer_orders (id VARCHAR(64))");
      return ds;
    }

    @Bean
    PlatformTransactionManager transactionManager(DataSource dataSource) {
      return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    JdbcTemplate jdbcTemplate(DataSource dataSource) {
      return new JdbcTemplate(dataSource);
    }

    @Bean
    Payments payments(JdbcTemplate jdbc) {
      return new Payments(jdbc);
    }

    @Bean
    Received received() {
      return new Received();
    }

    @Bean
    OuterReceived outerReceived() {
      return new OuterReceived();
    }

    @Bean
    Checkout checkout(ReliableTemplate template, JdbcTemplate jdbc) {
      return new Checkout(template, jdbc);
    }
  }
}
