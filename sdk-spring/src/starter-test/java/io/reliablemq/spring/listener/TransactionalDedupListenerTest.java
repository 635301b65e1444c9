package io.reliablemq.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.TransactionalMessageHandler;
import io.reliablemq.spring.autoconfigure.ReliableMQAutoConfiguration;
import io.reliablemq.spring.internal.TransactionalDedupSupport;
import java.nio.file.Path;
import java.sql.Connection;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class TransactionalDedupListenerTest {
  private static final ReceivedMessage MESSAGE =
      ReceivedMessage.builder("orders", "m-1").body(new byte[] {1}).build();

  @TempDir Path tmp;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ReliableMQAutoConfiguration.class))
        .withPropertyValues(
            "reliablemq.endpoints=127.0.0.1:1",
            "reliablemq.ssl-enabled=false",
            "reliablemq.request-timeout=200ms",
            "reliablemq.listener.start-retry-interval=100ms",
            "reliablemq.fallback.directory=" + tmp.resolve("fallback"),
            "reliablemq.dedup.directory=" + tmp.resolve("dedup"));
  }

  private DataSource h2(String name) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:" + tmp.resolve(name));
    new JdbcTemplate(ds).execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64))");
    return ds;
  }

  @Test
  void transactionalDedupWithoutDataSource_failsTheStartup_namingBeanAndMethod() {
    runner()
        .withBean("txListener", TxListener.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(NestedExceptionUtils.getMostSpecificCause(ctx.getStartupFailure()))
                  .hasMessageContaining("txListener.handle")
                  .hasMessageContaining("DataSource");
            });
  }

  @Test
  void transactionalDedupWithoutIdempotence_failsTheStartup_namingBeanAndMethod() {
    runner()
        .withBean(DataSource.class, () -> h2("app"))
        .withBean("txListener", NotIdempotent.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(NestedExceptionUtils.getMostSpecificCause(ctx.getStartupFailure()))
                  .hasMessageContaining("txListener.handle")
                  .hasMessageContaining("idempotent = true");
            });
  }

  @Test
  void transactionalDedupWithDataSource_starts_andCreatesTheDedupTableInThatDatabase() {
    runner()
        .withPropertyValues("reliablemq.dedup.table-prefix=shop")
        .withBean(DataSource.class, () -> h2("app"))
        .withBean("txListener", TxListener.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(ReliableListenerRegistry.class).statuses())
                  .extracting(ListenerStatus::id)
                  .containsExactly("txListener.handle");
              Integer rows =
                  new JdbcTemplate(ctx.getBean(DataSource.class))
                      .queryForObject("SELECT COUNT(*) FROM shop_dedup", Integer.class);
              assertThat(rows).isZero();
            });
  }

  @Test
  void jdbcTemplateInTheMethod_writesThroughTheConsumersConnection() throws Exception {
    DataSource ds = h2("bind");
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    TransactionalMessageHandler handler =
        TransactionalDedupSupport.handler(
            ds, "l.m", m -> jdbc.update("INSERT INTO orders(id) VALUES ('o-1')"));

    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      handler.handle(MESSAGE, c);
      // Visible inside the consumer's transaction, so the insert used its connection...
      try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM orders")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      // ...which the method's JdbcTemplate left open for the mark and the commit...
      assertThat(c.isClosed()).isFalse();
      c.rollback();
    }
    // ...and the write vanished with its rollback: it did not commit on a connection of its own.
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders", Integer.class)).isZero();
  }

  @Test
  void transactionalMethodInTheListener_joinsInsteadOfCommittingOnItsOwn() throws Exception {
    DataSource ds = h2("join");
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
    TransactionalMessageHandler handler =
        TransactionalDedupSupport.handler(
            ds,
            "l.m",
            m -> tx.executeWithoutResult(s -> jdbc.update("INSERT INTO orders(id) VALUES ('o')")));

    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      handler.handle(MESSAGE, c);
      c.rollback();
    }

    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders", Integer.class)).isZero();
  }

  @Test
  void joinedTransactionMarkedRollbackOnly_failsTheDelivery() throws Exception {
    DataSource ds = h2("rollback-only");
    TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
    TransactionalMessageHandler handler =
        TransactionalDedupSupport.handler(
            ds,
            "bean.method",
            m -> {
              try {
                tx.executeWithoutResult(
                    s -> {
                      throw new IllegalStateException("declined");
                    });
              } catch (IllegalStateException swallowed) {
                // The method hides the failure; the joined transaction is still rollback-only.
              }
            });

    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> handler.handle(MESSAGE, c))
          .hasMessageContaining("bean.method")
          .hasMessageContaining("rollback-only");
      c.rollback();
    }
  }

  @Test
  void theBindingIsRemoved_whenTheMethodThrows() throws Exception {
    DataSource ds = h2("unbind");
    TransactionalMessageHandler handler =
        TransactionalDedupSupport.handler(
            ds,
            "l.m",
            m -> {
              throw new IllegalStateException("boom");
            });

    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> handler.handle(MESSAGE, c)).hasMessage("boom");
      c.rollback();
    }

    assertThat(
            org.springframework.transaction.support.TransactionSynchronizationManager.hasResource(
                ds))
        .isFalse();
  }

  static class TxListener {
    @ReliableMessageListener(topic = "orders", consumerGroup = "g", transactionalDedup = true)
    void handle(String body) {}
  }

  static class NotIdempotent {
    @ReliableMessageListener(
        topic = "orders",
        consumerGroup = "g",
        idempotent = false,
        transactionalDedup = true)
    void handle(String body) {}
  }
}
