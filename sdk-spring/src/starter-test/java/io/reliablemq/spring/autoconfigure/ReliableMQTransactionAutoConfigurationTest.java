package io.reliablemq.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.producer.CheckRequest;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.internal.OutboxStore;
import io.reliablemq.spring.internal.SpringLocalTransactionRunner;
import io.reliablemq.spring.transaction.ReliableTransactionHandler;
import io.reliablemq.transaction.LocalTransactionRunner;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionUnavailableException;
import io.reliablemq.transaction.TransactionalSender;
import io.reliablemq.transaction.internal.TransactionalSenderImpl;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class ReliableMQTransactionAutoConfigurationTest {
  @TempDir Path tmp;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ReliableMQAutoConfiguration.class, ReliableMQTransactionAutoConfiguration.class))
        .withPropertyValues(
            "reliablemq.endpoints=127.0.0.1:1",
            "reliablemq.ssl-enabled=false",
            "reliablemq.request-timeout=200ms",
            "reliablemq.retry.total-deadline=500ms",
            "reliablemq.fallback.directory=" + tmp.resolve("fallback"),
            "reliablemq.dedup.directory=" + tmp.resolve("dedup"));
  }

  private DataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + tmp.getFileName() + ";DB_CLOSE_DELAY=-1");
    return ds;
  }

  @Test
  void byDefault_aDataSourceDoesNotCreateATransactionalSender() {
    runner()
        .withBean(DataSource.class, this::h2)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(TransactionalSender.class);
            });
  }

  @Test
  void enabled_createsTheSender_withTheSpringTransactionRunner() {
    DataSource ds = h2();
    runner()
        .withPropertyValues(
            "reliablemq.transaction.enabled=true", "reliablemq.transaction.topics=tx-orders")
        .withBean(DataSource.class, () -> ds)
        .withBean(PlatformTransactionManager.class, () -> new DataSourceTransactionManager(ds))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(TransactionalSender.class);
              assertThat(ctx.getBean(LocalTransactionRunner.class))
                  .isInstanceOf(SpringLocalTransactionRunner.class);
            });
  }

  @Test
  void enabled_theSenderSendsThroughTheProducersOneClient() {
    DataSource ds = h2();
    runner()
        .withPropertyValues(
            "reliablemq.transaction.enabled=true", "reliablemq.transaction.topics=tx-orders")
        .withBean(DataSource.class, () -> ds)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              TransactionalSender sender = ctx.getBean(TransactionalSender.class);
              assertThat(sender).isInstanceOf(TransactionalSenderImpl.class);
              assertThat(((TransactionalSenderImpl) sender).producer())
                  .isSameAs(ctx.getBean(ReliableProducer.class));
            });
  }

  @Test
  void brokerDown_transactionalSendThrows_andTheLocalWorkDoesNotRun() {
    DataSource ds = h2();
    runner()
        .withPropertyValues("reliablemq.transaction.enabled=true")
        .withBean(DataSource.class, () -> ds)
        .withBean(PlatformTransactionManager.class, () -> new DataSourceTransactionManager(ds))
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(TransactionalSender.class);
              AtomicBoolean ran = new AtomicBoolean();
              ReliableTemplate template = ctx.getBean(ReliableTemplate.class);
              assertThatThrownBy(
                      () ->
                          template.sendInTransaction(
                              "tx-orders",
                              "x",
                              c -> {
                                ran.set(true);
                                return null;
                              }))
                  .isInstanceOf(TransactionUnavailableException.class);
              assertThat(ran).isFalse();
            });
  }

  @Test
  void transactionHandlerBeans_areRegistered_andABeanThatIsNoCheck_failsTheStartup() {
    DataSource ds = h2();
    ApplicationContextRunner enabled =
        runner()
            .withPropertyValues("reliablemq.transaction.enabled=true", "app.type=legacy-order")
            .withBean(DataSource.class, () -> ds);
    enabled
        .withBean("legacyCheck", LegacyCheck.class)
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(TransactionalSender.class));
    enabled
        .withBean("notACheck", NotACheck.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("notACheck")
                  .hasMessageContaining("TransactionCheck");
            });
    enabled
        .withBean("badType", BadType.class)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("@ReliableTransactionHandler(type = \"bad type\")");
            });
  }

  @ReliableTransactionHandler(type = "${app.type}")
  static class LegacyCheck implements TransactionCheck {
    @Override
    public TransactionDecision check(CheckRequest request) {
      return TransactionDecision.UNKNOWN;
    }
  }

  @ReliableTransactionHandler(type = "x")
  static class NotACheck {}

  @ReliableTransactionHandler(type = "bad type")
  static class BadType implements TransactionCheck {
    @Override
    public TransactionDecision check(CheckRequest request) {
      return TransactionDecision.UNKNOWN;
    }
  }

  @Test
  void withoutJdbcClasses_thereIsNoSender_andTheRestWorks() {
    runner()
        .withPropertyValues("reliablemq.transaction.enabled=true")
        .withClassLoader(new FilteredClassLoader(DataSource.class))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(TransactionalSender.class);
              assertThat(ctx).hasSingleBean(ReliableTemplate.class);
            });
  }

  @Test
  void outboxEnabled_brokerDown_theMessageCommitsIntoTheOutboxWithTheLocalWork() {
    DataSource ds = h2();
    runner()
        .withPropertyValues(
            "reliablemq.transaction.enabled=true",
            "reliablemq.transaction.outbox.enabled=true",
            "reliablemq.transaction.outbox.table-prefix=shop")
        .withBean(DataSource.class, () -> ds)
        .withBean(PlatformTransactionManager.class, () -> new DataSourceTransactionManager(ds))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(OutboxStore.class);
              JdbcTemplate jdbc = new JdbcTemplate(ds);
              jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64))");
              TransactionResult<Integer> result =
                  ctx.getBean(ReliableTemplate.class)
                      .sendInTransaction(
                          "tx-orders",
                          "o-1",
                          c -> jdbc.update("INSERT INTO orders(id) VALUES ('o-1')"));

              assertThat(result.status()).isEqualTo(TransactionStatus.STORED);
              assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders", Integer.class))
                  .isEqualTo(1);
              assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM shop_fallback", Integer.class))
                  .isEqualTo(1);
            });
  }

  @Test
  void insideAnOuterTransaction_brokerDown_throwsUnavailableBeforeTheWork_evenInOutboxMode() {
    DataSource ds = h2();
    runner()
        .withPropertyValues(
            "reliablemq.transaction.enabled=true", "reliablemq.transaction.outbox.enabled=true")
        .withBean(DataSource.class, () -> ds)
        .withBean(PlatformTransactionManager.class, () -> new DataSourceTransactionManager(ds))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              AtomicBoolean ran = new AtomicBoolean();
              TransactionTemplate outer =
                  new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
              // The template joins the outer transaction (the two-phase form, which has no
              // outbox) instead of refusing it or running a transaction of its own.
              assertThatThrownBy(
                      () ->
                          outer.executeWithoutResult(
                              s ->
                                  ctx.getBean(ReliableTemplate.class)
                                      .sendInTransaction(
                                          "tx-orders",
                                          "o-1",
                                          c -> {
                                            ran.set(true);
                                            return 0;
                                          })))
                  .isInstanceOf(TransactionUnavailableException.class);
              assertThat(ran).isFalse();
              JdbcTemplate jdbc = new JdbcTemplate(ds);
              assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM rmq_tx_log", Integer.class))
                  .isZero();
              assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM rmq_fallback", Integer.class))
                  .isZero();
            });
  }

  @Test
  void invalidOutboxTablePrefix_failsTheStartup_namingTheProperty() {
    runner()
        .withPropertyValues(
            "reliablemq.transaction.enabled=true",
            "reliablemq.transaction.outbox.enabled=true",
            "reliablemq.transaction.outbox.table-prefix=x; DROP TABLE y")
        .withBean(DataSource.class, this::h2)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("reliablemq.transaction.outbox.table-prefix");
            });
  }

  @Test
  void databaseWithoutDialect_failsTheStartup_namingTheTransactionLogAndTheProduct() {
    DataSource oracle =
        (DataSource)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {DataSource.class},
                (p, m, a) -> {
                  if (!m.getName().equals("getConnection")) {
                    throw new UnsupportedOperationException(m.getName());
                  }
                  java.sql.Connection c = org.mockito.Mockito.mock(java.sql.Connection.class);
                  java.sql.DatabaseMetaData md =
                      org.mockito.Mockito.mock(java.sql.DatabaseMetaData.class);
                  org.mockito.Mockito.when(c.getMetaData()).thenReturn(md);
                  org.mockito.Mockito.when(md.getDatabaseProductName()).thenReturn("Oracle");
                  return c;
                });
    runner()
        .withPropertyValues("reliablemq.transaction.enabled=true")
        .withBean(DataSource.class, () -> oracle)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .hasStackTraceContaining("ReliableMQ transaction log")
                  .hasStackTraceContaining("\"Oracle\"");
            });
  }

  @Test
  void invalidGracePeriod_failsTheStartup_namingTheProperty() {
    runner()
        .withPropertyValues(
            "reliablemq.transaction.enabled=true", "reliablemq.transaction.grace-period=3h")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("reliablemq.transaction.grace-period");
            });
  }

  @Test
  void springRunner_commitsOnReturn_rollsBackOnThrow_andRefusesAnOuterTransaction()
      throws Exception {
    DataSource ds = h2();
    DataSourceTransactionManager tm = new DataSourceTransactionManager(ds);
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    jdbc.execute("CREATE TABLE t (v INT)");
    SpringLocalTransactionRunner runner = new SpringLocalTransactionRunner(tm, ds);

    runner.inTransaction(
        c -> {
          // JdbcTemplate joins the runner's transaction: same connection.
          jdbc.update("INSERT INTO t VALUES (1)");
          return null;
        });
    assertThatThrownBy(
            () ->
                runner.inTransaction(
                    c -> {
                      jdbc.update("INSERT INTO t VALUES (2)");
                      throw new java.io.IOException("business failure");
                    }))
        .isInstanceOf(java.io.IOException.class);
    assertThat(jdbc.queryForList("SELECT v FROM t", Integer.class)).containsExactly(1);

    assertThatThrownBy(
            () ->
                new TransactionTemplate(tm)
                    .execute(
                        s -> {
                          try {
                            return runner.inTransaction(c -> null);
                          } catch (Exception e) {
                            throw new IllegalStateException(e.getMessage(), e);
                          }
                        }))
        .hasMessageContaining("must not run inside an active transaction");
  }
}
