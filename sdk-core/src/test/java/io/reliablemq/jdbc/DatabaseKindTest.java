package io.reliablemq.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.dedup.jdbc.DedupDialect;
import io.reliablemq.dedup.jdbc.MariaDbDedupDialect;
import io.reliablemq.dedup.jdbc.PostgresDedupDialect;
import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.MariaDbDialect;
import io.reliablemq.fallback.jdbc.PostgresDialect;
import io.reliablemq.testsupport.TestDatabase;
import io.reliablemq.transaction.TransactionLogDialect;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class DatabaseKindTest {
  @Test
  void productNames_mapToTheirDialects_inAnyCase() {
    assertThat(DatabaseKind.fromProductName("PostgreSQL")).contains(DatabaseKind.POSTGRESQL);
    assertThat(DatabaseKind.fromProductName("MariaDB")).contains(DatabaseKind.MARIADB);
    assertThat(DatabaseKind.fromProductName("MySQL")).contains(DatabaseKind.MARIADB);
    assertThat(DatabaseKind.fromProductName("h2")).contains(DatabaseKind.H2);
    assertThat(DatabaseKind.fromProductName("Oracle")).isEmpty();
    assertThat(DatabaseKind.fromProductName(null)).isEmpty();
    assertThat(Dialect.of(DatabaseKind.POSTGRESQL)).isSameAs(PostgresDialect.INSTANCE);
    assertThat(DedupDialect.of(DatabaseKind.POSTGRESQL)).isSameAs(PostgresDedupDialect.INSTANCE);
    assertThat(Dialect.of(DatabaseKind.MARIADB)).isSameAs(MariaDbDialect.INSTANCE);
    assertThat(DedupDialect.of(DatabaseKind.MARIADB)).isSameAs(MariaDbDedupDialect.INSTANCE);
    assertThat(TransactionLogDialect.of(DatabaseKind.MARIADB).name()).isEqualTo("mariadb");
  }

  @Test
  void dialectNames_areParsed_andAnUnknownOneIsRefusedNamingTheKnownOnes() {
    assertThat(DatabaseKind.fromDialectName("postgres")).isEqualTo(DatabaseKind.POSTGRESQL);
    assertThat(DatabaseKind.fromDialectName("MySQL")).isEqualTo(DatabaseKind.MARIADB);
    assertThat(Dialect.of(DatabaseKind.fromDialectName("h2"))).isSameAs(H2Dialect.INSTANCE);
    assertThatThrownBy(() -> DatabaseKind.fromDialectName("oracle"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dialect must be one of h2, postgresql, mariadb");
  }

  @Test
  void detect_readsTheProductOfAnH2DataSource() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:detect");
    assertThat(DatabaseKind.detect(ds)).isEqualTo(DatabaseKind.H2);
  }

  @Test
  void detect_readsThePostgresProduct() {
    TestDatabase.POSTGRESQL.requireReachable();
    assertThat(DatabaseKind.detect(TestDatabase.POSTGRESQL.dataSource()))
        .isEqualTo(DatabaseKind.POSTGRESQL);
  }

  @Test
  void detect_readsTheMariaDbProduct() {
    TestDatabase.MARIADB.requireReachable();
    assertThat(DatabaseKind.detect(TestDatabase.MARIADB.dataSource()))
        .isEqualTo(DatabaseKind.MARIADB);
  }
}
