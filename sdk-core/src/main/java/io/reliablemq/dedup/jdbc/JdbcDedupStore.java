package io.reliablemq.dedup.jdbc;

import io.reliablemq.dedup.ClaimResult;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupLeaseLostException;
import io.reliablemq.dedup.DedupRecord;
import io.reliablemq.dedup.DedupState;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.DedupStoreException;
import io.reliablemq.fallback.SchemaManagement;
import io.reliablemq.internal.jdbc.EmbeddedH2;
import io.reliablemq.internal.jdbc.SchemaMigrator;
import io.reliablemq.internal.jdbc.StoreFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DedupStore} on a relational database: an embedded H2 file the SDK opens itself ({@link
 * #h2}, the default, with the fallback store's durable settings: {@code WRITE_DELAY=0}, directory
 * 0700, files 0600, one open per process, {@code SHUTDOWN} on close), or a database the application
 * provides ({@link #create}), which is what several instances share and what the transactional mode
 * needs (the dedup table in the business database).
 *
 * <p>Every transition is one conditional statement (see {@link DedupDialect}); a claim reads the
 * record, then inserts or conditionally updates it, and reads again if another caller won the race.
 * Keys and owners are logged, never message contents.
 */
public final class JdbcDedupStore implements DedupStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcDedupStore.class);

  /** The component name of this store in the shared version table. */
  public static final String COMPONENT = "dedup";

  private static final StoreFailure FAILURE = DedupStoreException::new;
  private static final int MAX_CLAIM_ROUNDS = 5;

  private final DataSource dataSource;
  private final DedupDialect dialect;
  private final String table;
  private final String location;
  private final EmbeddedH2 h2File;
  private final Clock clock;
  private volatile boolean closed;

  private JdbcDedupStore(
      DataSource dataSource,
      DedupDialect dialect,
      DedupStoreConfig config,
      String location,
      EmbeddedH2 h2File) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.table = table(config.tablePrefix());
    this.location = location;
    this.h2File = h2File;
    this.clock = config.clock();
    SchemaMigrator migrator =
        new SchemaMigrator(schemaSpec(dialect, config.tablePrefix(), location));
    try (Connection c = dataSource.getConnection()) {
      if (config.schemaManagement() == SchemaManagement.AUTO) {
        migrator.migrate(c);
      } else {
        migrator.validate(c);
      }
    } catch (SQLException e) {
      throw new DedupStoreException(
          "Cannot open dedup store " + location + ": " + EmbeddedH2.describe(e), e);
    }
    LOG.info("Dedup store {} open ({} dialect)", location, dialect.name());
  }

  /**
   * Opens (creating if needed) the embedded H2 file {@code <directory>/<name>.mv.db}.
   *
   * @param config the settings
   * @return the open store
   * @throws DedupStoreException when the directory cannot be written, the file is open elsewhere,
   *     or it is corrupt; the message names the path
   */
  public static JdbcDedupStore h2(DedupStoreConfig config) {
    Objects.requireNonNull(config, "config");
    EmbeddedH2 file = EmbeddedH2.open(config.directory(), config.name(), "Dedup store", FAILURE);
    try {
      return new JdbcDedupStore(
          file.dataSource(), H2DedupDialect.INSTANCE, config, file.file().toString(), file);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Opens the store on a database the application provides: shared by several instances, and the
   * one to use for the transactional mode (the dedup table must live in the business database). The
   * SDK neither configures nor closes the data source.
   *
   * @param dataSource the database
   * @param dialect its dialect
   * @param config the settings; directory and name are unused
   * @return the open store
   * @throws DedupStoreException when the database cannot be reached or its schema is not current
   */
  public static JdbcDedupStore create(
      DataSource dataSource, DedupDialect dialect, DedupStoreConfig config) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(config, "config");
    return new JdbcDedupStore(
        dataSource,
        dialect,
        config,
        "table " + table(config.tablePrefix()) + " (" + dialect.name() + ")",
        null);
  }

  /**
   * The dedup table of a prefix.
   *
   * @param prefix the validated prefix
   * @return {@code <prefix>_dedup}
   */
  public static String table(String prefix) {
    return prefix + "_dedup";
  }

  /**
   * The whole schema as a script, for Flyway, Liquibase or a DBA ({@link SchemaManagement#NONE}).
   *
   * @param dialect the database's dialect
   * @param prefix the table prefix, validated like {@link DedupStoreConfig.Builder#tablePrefix}
   * @return the DDL
   */
  public static String ddl(DedupDialect dialect, String prefix) {
    String p = DedupStoreConfig.custom().tablePrefix(prefix).build().tablePrefix();
    return new SchemaMigrator(schemaSpec(dialect, p, "ddl"))
        .ddl("ReliableMQ dedup store, " + dialect.name() + ", prefix " + p);
  }

  private static SchemaMigrator.Spec schemaSpec(
      DedupDialect dialect, String prefix, String location) {
    String vt = prefix + "_schema_version";
    return new SchemaMigrator.Spec(
        "Dedup store",
        location,
        COMPONENT,
        vt,
        dialect.createVersionTableSql(vt),
        dialect.currentVersionSql(vt),
        dialect.recordVersionSql(vt),
        dialect.migrations(table(prefix)),
        "JdbcDedupStore.ddl",
        FAILURE);
  }

  /**
   * Where this store lives, for messages.
   *
   * @return the H2 file path or the table
   */
  public String location() {
    return location;
  }

  @Override
  public ClaimResult claim(DedupKey key, String owner, Instant now, Instant leaseUntil) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(owner, "owner");
    checkOpen();
    long nowMs = now.toEpochMilli();
    long leaseMs = leaseUntil.toEpochMilli();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      for (int round = 0; round < MAX_CLAIM_ROUNDS; round++) {
        Row row = read(c, key);
        if (row == null) {
          if (insert(c, key, DedupDialect.PROCESSING, owner, leaseMs, null, nowMs)) {
            return ClaimResult.owned(ClaimResult.Status.ACQUIRED);
          }
          continue; // another caller inserted first: look again
        }
        if (DedupDialect.CONSUMED.equals(row.state)) {
          if (row.expiresAt != null && row.expiresAt > nowMs) {
            return ClaimResult.consumed(Instant.ofEpochMilli(row.expiresAt));
          }
          if (update(c, dialect.reclaimExpiredSql(table), owner, leaseMs, nowMs, key, nowMs)) {
            return ClaimResult.owned(ClaimResult.Status.ACQUIRED);
          }
          continue;
        }
        boolean mine = owner.equals(row.owner);
        boolean live = row.leaseUntil != null && row.leaseUntil > nowMs;
        if (!mine && live) {
          return ClaimResult.heldBy(row.owner, Instant.ofEpochMilli(row.leaseUntil));
        }
        if (takeOver(c, key, owner, leaseMs, nowMs, row)) {
          if (!mine) {
            LOG.info("Dedup key {} taken over from {} (lease had expired)", key, row.owner);
          }
          return ClaimResult.owned(
              mine ? ClaimResult.Status.REENTERED : ClaimResult.Status.TAKEN_OVER);
        }
      }
      throw new DedupStoreException(
          "Dedup store " + location + ": claim of " + key + " lost " + MAX_CLAIM_ROUNDS + " races",
          null);
    } catch (SQLException e) {
      throw failure("claim " + key, e);
    }
  }

  @Override
  public boolean extendLease(DedupKey key, String owner, Instant leaseUntil) {
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      long ms = leaseUntil.toEpochMilli();
      return update(c, dialect.extendSql(table), ms, clock.millis(), key, owner);
    } catch (SQLException e) {
      throw failure("extend the lease of " + key, e);
    }
  }

  @Override
  public boolean markConsumed(DedupKey key, String owner, Instant expiresAt) {
    checkOpen();
    long exp = expiresAt.toEpochMilli();
    long nowMs = clock.millis();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      if (update(c, dialect.markConsumedSql(table), exp, nowMs, key, owner)) {
        return true;
      }
      // Not ours any more: if the record is gone, record the processing that did happen.
      if (read(c, key) == null && insert(c, key, DedupDialect.CONSUMED, owner, null, exp, nowMs)) {
        return true;
      }
      LOG.warn("Dedup key {}: lease lost while its handler ran; another owner holds it", key);
      return false;
    } catch (SQLException e) {
      throw failure("mark " + key + " consumed", e);
    }
  }

  @Override
  public void markConsumed(Connection connection, DedupKey key, String owner, Instant expiresAt) {
    Objects.requireNonNull(connection, "connection");
    checkOpen();
    try {
      if (!update(
          connection,
          dialect.markConsumedSql(table),
          expiresAt.toEpochMilli(),
          clock.millis(),
          key,
          owner)) {
        throw new DedupLeaseLostException(key, owner);
      }
    } catch (SQLException e) {
      throw failure("mark " + key + " consumed in the caller's transaction", e);
    }
  }

  @Override
  public boolean release(DedupKey key, String owner) {
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement(dialect.releaseSql(table))) {
        ps.setString(1, key.scope());
        ps.setString(2, key.key());
        ps.setString(3, owner);
        return ps.executeUpdate() == 1;
      }
    } catch (SQLException e) {
      throw failure("release " + key, e);
    }
  }

  @Override
  public Optional<DedupRecord> find(DedupKey key) {
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      Row r = read(c, key);
      // Shown as stored: an expired record reads the same as an absent one to claim().
      if (r == null) {
        return Optional.empty();
      }
      return Optional.of(
          new DedupRecord(
              key,
              DedupState.valueOf(r.state),
              r.owner,
              Optional.ofNullable(r.leaseUntil).map(Instant::ofEpochMilli),
              Optional.ofNullable(r.expiresAt).map(Instant::ofEpochMilli)));
    } catch (SQLException e) {
      throw failure("read " + key, e);
    }
  }

  @Override
  public int purgeExpired(Instant now) {
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement(dialect.purgeSql(table))) {
        ps.setLong(1, now.toEpochMilli());
        ps.setLong(2, now.toEpochMilli());
        return ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw failure("purge expired records", e);
    }
  }

  /** Closes the store; for an embedded H2 file runs {@code SHUTDOWN} and releases the file. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (h2File != null) {
      h2File.close();
    }
    LOG.info("Dedup store {} closed", location);
  }

  // ---------------------------------------------------------------- helpers

  private Row read(Connection c, DedupKey key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.selectSql(table))) {
      ps.setString(1, key.scope());
      ps.setString(2, key.key());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new Row(rs.getString(1), rs.getString(2), longOrNull(rs, 3), longOrNull(rs, 4));
      }
    }
  }

  private boolean insert(
      Connection c,
      DedupKey key,
      String state,
      String owner,
      Long leaseUntil,
      Long expiresAt,
      long nowMs)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.insertSql(table))) {
      ps.setString(1, key.scope());
      ps.setString(2, key.key());
      ps.setString(3, state);
      ps.setString(4, owner);
      setLongOrNull(ps, 5, leaseUntil);
      setLongOrNull(ps, 6, expiresAt);
      ps.setLong(7, nowMs);
      ps.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  private boolean takeOver(
      Connection c, DedupKey key, String owner, long leaseMs, long nowMs, Row seen)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.takeOverSql(table))) {
      ps.setString(1, owner);
      ps.setLong(2, leaseMs);
      ps.setLong(3, nowMs);
      ps.setString(4, key.scope());
      ps.setString(5, key.key());
      ps.setString(6, seen.owner);
      setLongOrNull(ps, 7, seen.leaseUntil);
      return ps.executeUpdate() == 1;
    }
  }

  /** Runs an update whose parameters are (string owner, long, long, key, ...) shaped by the SQL. */
  private static boolean update(
      Connection c, String sql, String owner, long a, long b, DedupKey key, long tail)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, owner);
      ps.setLong(2, a);
      ps.setLong(3, b);
      ps.setString(4, key.scope());
      ps.setString(5, key.key());
      ps.setLong(6, tail);
      return ps.executeUpdate() == 1;
    }
  }

  /** Runs an update with parameters (long, long, scope, key, owner). */
  private static boolean update(
      Connection c, String sql, long a, long b, DedupKey key, String owner) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, a);
      ps.setLong(2, b);
      ps.setString(3, key.scope());
      ps.setString(4, key.key());
      ps.setString(5, owner);
      return ps.executeUpdate() == 1;
    }
  }

  private static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    // 23505 (H2, PostgreSQL) and 23000 (MySQL): integrity constraint violation.
    return state != null && state.startsWith("23");
  }

  private static Long longOrNull(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static void setLongOrNull(PreparedStatement ps, int index, Long value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, java.sql.Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new DedupStoreException("Dedup store " + location + " is closed", null);
    }
  }

  private DedupStoreException failure(String what, SQLException e) {
    return new DedupStoreException(
        "Dedup store " + location + ": cannot " + what + ": " + EmbeddedH2.describe(e), e);
  }

  /** One record as read. */
  private record Row(String state, String owner, Long leaseUntil, Long expiresAt) {}
}
