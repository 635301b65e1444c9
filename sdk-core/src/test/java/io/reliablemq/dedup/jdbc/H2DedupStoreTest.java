package io.reliablemq.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupLeaseLostException;
import io.reliablemq.dedup.DedupState;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.DedupStoreContractTest;
import io.reliablemq.dedup.DedupStoreException;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.jdbc.SchemaManagement;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the embedded H2 file, plus what is specific to the JDBC store. */
class H2DedupStoreTest extends DedupStoreContractTest {
  @TempDir Path tmp;

  @Override
  protected DedupStore newStore() {
    return JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp.resolve("dedup")).build());
  }

  @Override
  protected DedupStore newStore(int purgeBatchSize) {
    return JdbcDedupStore.h2(
        DedupStoreConfig.custom()
            .directory(tmp.resolve("dedup"))
            .purgeBatchSize(purgeBatchSize)
            .build());
  }

  @Test
  void consumedMarks_surviveCloseAndReopen() {
    store.claim(key, "a", T0, T0.plus(LEASE));
    store.markConsumed(key, "a", T0.plus(TTL));
    store.close();

    store = newStore();

    assertThat(store.find(key).orElseThrow().state()).isEqualTo(DedupState.CONSUMED);
  }

  @Test
  void h2File_isOwnerOnly_andCannotBeOpenedTwice() throws Exception {
    Path dir = tmp.resolve("dedup");
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx------");
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve("dedup.mv.db"))))
          .isEqualTo("rw-------");
    }
    assertThatThrownBy(this::newStore)
        .isInstanceOf(DedupStoreException.class)
        .hasMessageContaining("already open");
  }

  @Test
  void fallbackAndDedupStores_shareOneDatabase_withComponentKeyedVersions() throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:shared" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    try (JdbcDedupStore d = JdbcDedupStore.create(ds, H2DedupDialect.INSTANCE, cfg());
        JdbcFallbackStore f =
            JdbcFallbackStore.create(
                ds,
                io.reliablemq.fallback.jdbc.H2Dialect.INSTANCE,
                FallbackStoreConfig.ofDefaults());
        Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT component, MAX(version) FROM rmq_schema_version GROUP BY component"
                    + " ORDER BY component")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("dedup");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("fallback");
    }
  }

  @Test
  void transactionalMark_commitsAndRollsBack_withTheCallersTransaction() throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:tx" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    try (JdbcDedupStore s = JdbcDedupStore.create(ds, H2DedupDialect.INSTANCE, cfg())) {
      DedupKey k1 = new DedupKey("g", "rolled-back");
      DedupKey k2 = new DedupKey("g", "committed");
      s.claim(k1, "a", T0, T0.plus(LEASE));
      s.claim(k2, "a", T0, T0.plus(LEASE));
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        s.markConsumed(c, k1, "a", T0.plus(TTL));
        c.rollback();
        s.markConsumed(c, k2, "a", T0.plus(TTL));
        c.commit();
      }
      assertThat(s.find(k1).orElseThrow().state()).isEqualTo(DedupState.PROCESSING);
      assertThat(s.find(k2).orElseThrow().state()).isEqualTo(DedupState.CONSUMED);
    }
  }

  @Test
  void transactionalMark_throwsLeaseLost_whenAnotherOwnerTookOver() throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:lost" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    try (JdbcDedupStore s = JdbcDedupStore.create(ds, H2DedupDialect.INSTANCE, cfg());
        Connection c = ds.getConnection()) {
      s.claim(key, "a", T0, T0.plus(LEASE));
      s.claim(key, "b", T0.plus(LEASE), T0.plus(LEASE).plus(LEASE));
      c.setAutoCommit(false);

      assertThatThrownBy(() -> s.markConsumed(c, key, "a", T0.plus(TTL)))
          .isInstanceOf(DedupLeaseLostException.class);
    }
  }

  @Test
  void schemaNone_failsClearly_whenTheSchemaIsMissing_andDdlCreatesIt() throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:none" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    DedupStoreConfig none =
        DedupStoreConfig.custom().schemaManagement(SchemaManagement.NONE).build();

    assertThatThrownBy(() -> JdbcDedupStore.create(ds, H2DedupDialect.INSTANCE, none))
        .isInstanceOf(DedupStoreException.class)
        .hasMessageContaining("JdbcDedupStore.ddl");

    String ddl = JdbcDedupStore.ddl(H2DedupDialect.INSTANCE, "rmq");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String stmt : ddl.split(";\n")) {
        String sql = stmt.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + b);
        if (!sql.isBlank()) {
          s.execute(sql);
        }
      }
    }
    JdbcDedupStore.create(ds, H2DedupDialect.INSTANCE, none).close();
  }

  @Test
  void config_rejectsTablePrefixesThatCouldCarrySql() {
    assertThatThrownBy(() -> DedupStoreConfig.custom().tablePrefix("x; DROP TABLE y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix");
  }

  @Test
  void purgeBatchStatement_deletesAtMostItsLimit_andOnlyExpiredRecordsOfItsState()
      throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:purge" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    Instant ended = T0.plusSeconds(100);
    try (JdbcDedupStore s = JdbcDedupStore.create(ds, H2DedupDialect.INSTANCE, cfg())) {
      for (int i = 0; i < 5; i++) {
        DedupKey k = new DedupKey("g", "consumed-" + i);
        s.claim(k, "a", T0, ended);
        s.markConsumed(k, "a", ended);
        s.claim(new DedupKey("g", "leased-" + i), "a", T0, ended);
      }
      DedupDialect dialect = H2DedupDialect.INSTANCE;
      try (Connection c = ds.getConnection()) {
        assertThat(
                runPurgeBatch(
                    c, dialect.purgeBatchSql("rmq_dedup", DedupDialect.CONSUMED, 2), ended))
            .isEqualTo(2);
        assertThat(
                runPurgeBatch(
                    c, dialect.purgeBatchSql("rmq_dedup", DedupDialect.PROCESSING, 4), ended))
            .isEqualTo(4);
        assertThat(
                runPurgeBatch(
                    c, dialect.purgeBatchSql("rmq_dedup", DedupDialect.CONSUMED, 9), ended))
            .isEqualTo(3);
        assertThat(
                runPurgeBatch(
                    c,
                    dialect.purgeBatchSql("rmq_dedup", DedupDialect.PROCESSING, 9),
                    ended.minusMillis(1)))
            .as("a lease not yet ended is kept")
            .isZero();
      }
    }
  }

  private static int runPurgeBatch(Connection c, String sql, Instant now) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int params = (int) sql.chars().filter(ch -> ch == '?').count();
      for (int i = 1; i <= params; i++) {
        ps.setLong(i, now.toEpochMilli());
      }
      return ps.executeUpdate();
    }
  }

  private static DedupStoreConfig cfg() {
    return DedupStoreConfig.ofDefaults();
  }
}
