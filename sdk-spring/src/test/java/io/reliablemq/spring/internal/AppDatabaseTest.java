package io.reliablemq.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.dedup.jdbc.H2DedupDialect;
import io.reliablemq.dedup.jdbc.MariaDbDedupDialect;
import io.reliablemq.dedup.jdbc.PostgresDedupDialect;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.MariaDbDialect;
import io.reliablemq.fallback.jdbc.PostgresDialect;
import io.reliablemq.jdbc.DatabaseKind;
import io.reliablemq.spring.autoconfigure.ReliableMQProperties;
import io.reliablemq.transaction.TransactionLogDialect;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class AppDatabaseTest {

  /** A data source whose connections only answer the product name (and close). */
  private static DataSource claiming(String product) {
    DatabaseMetaData md =
        (DatabaseMetaData)
            Proxy.newProxyInstance(
                AppDatabaseTest.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class},
                (p, m, a) -> {
                  if (m.getName().equals("getDatabaseProductName")) {
                    return product;
                  }
                  throw new UnsupportedOperationException(m.getName());
                });
    Connection c =
        (Connection)
            Proxy.newProxyInstance(
                AppDatabaseTest.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (p, m, a) ->
                    switch (m.getName()) {
                      case "getMetaData" -> md;
                      case "close" -> null;
                      default -> throw new UnsupportedOperationException(m.getName());
                    });
    return (DataSource)
        Proxy.newProxyInstance(
            AppDatabaseTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (p, m, a) -> {
              if (m.getName().equals("getConnection")) {
                return c;
              }
              throw new UnsupportedOperationException(m.getName());
            });
  }

  @Test
  void h2_getsTheH2DialectsOfAllThreeTables() {
    DataSource ds = claiming("H2");
    assertThat(AppDatabase.dedupDialect(ds)).isSameAs(H2DedupDialect.INSTANCE);
    assertThat(AppDatabase.fallbackDialect(ds)).isSameAs(H2Dialect.INSTANCE);
    assertThat(AppDatabase.transactionLogDialect(ds)).isSameAs(TransactionLogDialect.h2());
  }

  @Test
  void postgresql_getsThePostgresDialectsOfAllThreeTables() {
    DataSource ds = claiming("PostgreSQL");
    assertThat(AppDatabase.dedupDialect(ds)).isSameAs(PostgresDedupDialect.INSTANCE);
    assertThat(AppDatabase.fallbackDialect(ds)).isSameAs(PostgresDialect.INSTANCE);
    assertThat(AppDatabase.transactionLogDialect(ds)).isSameAs(TransactionLogDialect.postgresql());
  }

  @Test
  void mariaDbAndMySql_getTheMariaDbDialectsOfAllThreeTables() {
    for (String product : new String[] {"MariaDB", "MySQL"}) {
      DataSource ds = claiming(product);
      assertThat(AppDatabase.dedupDialect(ds)).isSameAs(MariaDbDedupDialect.INSTANCE);
      assertThat(AppDatabase.fallbackDialect(ds)).isSameAs(MariaDbDialect.INSTANCE);
      assertThat(AppDatabase.transactionLogDialect(ds)).isSameAs(TransactionLogDialect.mariadb());
    }
  }

  @Test
  void transactionalSenderConfig_takesTheLogDialectOfTheApplicationsDatabase() {
    ReliableMQProperties properties =
        new Binder(new MapConfigurationPropertySource())
            .bindOrCreate("reliablemq", ReliableMQProperties.class);
    for (String product : new String[] {"H2", "PostgreSQL", "MariaDB"}) {
      TransactionalSenderConfig config =
          CoreConfigs.transactionalSender(
              properties,
              ClientSettings.of("127.0.0.1:1"),
              claiming(product),
              null,
              null,
              Map.of(),
              null);
      assertThat(config.logDialect().name())
          .isEqualTo(DatabaseKind.fromProductName(product).orElseThrow().dialectName());
    }
  }

  @Test
  void unsupportedDatabase_failsNamingThePurposeAndTheProduct() {
    assertThatThrownBy(() -> AppDatabase.transactionLogDialect(claiming("Oracle")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("transaction log")
        .hasMessageContaining("Oracle");
  }
}
