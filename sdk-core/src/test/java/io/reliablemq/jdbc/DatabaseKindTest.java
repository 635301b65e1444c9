package io.reliablemq.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.dedup.jdbc.MariaDbDedupDialect;
import io.reliablemq.dedup.jdbc.PostgresDedupDialect;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.MariaDbDialect;
import io.reliablemq.fallback.jdbc.PostgresDialect;
import io.reliablemq.testsupport.TestDatabase;
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
    assertThat(DatabaseKind.POSTGRESQL.fallbackDialect()).isSameAs(PostgresDialect.INSTANCE);
    assertThat(DatabaseKind.POSTGRESQL.dedupDialect()).isSameAs(PostgresDedupDialect.INSTANCE);
    assertThat(DatabaseKind.MARIADB.fallbackDialect()).isSameAs(MariaDbDialect.INSTANCE);
    assertThat(DatabaseKind.MARIADB.dedupDialect()).isSameAs(MariaDbDedupDialect.INSTANCE);
    assertThat(DatabaseKind.MARIADB.transactionLogDialect().name()).isEqualTo("mariadb");
  }

  @Test
  void dialectNames_areParsed_andAnUnknownOneIsRefusedNamingTheKnownOnes() {
    assertThat(DatabaseKind.fromDialectName("postgres")).isEqualTo(DatabaseKind.POSTGRESQL);
    assertThat(DatabaseKind.fromDialectName("MySQL")).isEqualTo(DatabaseKind.MARIADB);
    assertThat(DatabaseKind.fromDialectName("h2").fallbackDialect()).isSameAs(H2Dialect.INSTANCE);
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
