package io.reliablemq.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.testsupport.TestDatabase;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The starter over an application whose database is a real PostgreSQL: the transaction log and the
 * outbox get PostgreSQL's dialect. Skipped without a server, unless {@code
 * RELIABLEMQ_REQUIRE_DATABASES=true}.
 */
class ReliableMQPostgresTest {
  private static final TestDatabase DB = TestDatabase.POSTGRESQL;

  @TempDir Path tmp;
  private String prefix;

  @BeforeEach
  void reachable() {
    DB.requireReachable();
    prefix = TestDatabase.newPrefix();
  }

  @AfterEach
  void drop() {
    if (prefix != null) {
      DB.dropTables(prefix);
    }
  }

  @Test
  void outboxSendInTransaction_onPostgres_createsTheTablesAndCommitsLogOutboxAndWorkTogether() {
    DataSource ds = DB.dataSource();
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ReliableMQAutoConfiguration.class, ReliableMQTransactionAutoConfiguration.class))
        .withPropertyValues(
            "reliablemq.endpoints=127.0.0.1:1",
            "reliablemq.ssl-enabled=false",
            "reliablemq.request-timeout=200ms",
            "reliablemq.retry.total-deadline=500ms",
            "reliablemq.fallback.directory=" + tmp.resolve("fallback"),
            "reliablemq.dedup.directory=" + tmp.resolve("dedup"),
            "reliablemq.transaction.enabled=true",
            "reliablemq.transaction.table-prefix=" + prefix,
            "reliablemq.transaction.outbox.enabled=true",
            "reliablemq.transaction.outbox.table-prefix=" + prefix)
        .withBean(DataSource.class, () -> ds)
        .withBean(PlatformTransactionManager.class, () -> new DataSourceTransactionManager(ds))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              JdbcTemplate jdbc = new JdbcTemplate(ds);
              String orders = prefix + "_orders";
              jdbc.execute("CREATE TABLE " + orders + " (id VARCHAR(64))");

              TransactionResult<Integer> result =
                  ctx.getBean(ReliableTemplate.class)
                      .sendInTransaction(
                          "tx-orders",
                          "o-1",
                          c -> jdbc.update("INSERT INTO " + orders + "(id) VALUES ('o-1')"));

              assertThat(result.status()).isEqualTo(TransactionStatus.STORED);
              assertThat(count(jdbc, orders)).isEqualTo(1);
              assertThat(count(jdbc, prefix + "_fallback")).isEqualTo(1);
              assertThat(
                      jdbc.queryForObject(
                          "SELECT status FROM " + prefix + "_tx_log WHERE id = ?",
                          String.class,
                          result.reliableId()))
                  .isEqualTo("COMMITTED");
              // PostgreSQL's own DDL made the log table, not H2's (which would be VARCHAR(64)).
              assertThat(
                      jdbc.queryForList(
                          "SELECT column_name FROM information_schema.columns"
                              + " WHERE table_name = ? ORDER BY column_name",
                          String.class,
                          prefix + "_tx_log"))
                  .contains("id", "status", "created_at");
            });
  }

  private static int count(JdbcTemplate jdbc, String table) {
    Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
    return n == null ? 0 : n;
  }
}
