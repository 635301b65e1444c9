package io.reliablemq.dedup.jdbc;

import io.reliablemq.dedup.ClaimResult;
import io.reliablemq.dedup.DedupKey;
import io.reliablemq.dedup.DedupLeaseLostException;
import io.reliablemq.dedup.DedupRecord;
import io.reliablemq.dedup.DedupState;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.DedupStoreException;
import io.reliablemq.internal.jdbc.EmbeddedH2;
import io.reliablemq.internal.jdbc.GroupCommitWriter;
import io.reliablemq.internal.jdbc.SchemaMigrator;
import io.reliablemq.internal.jdbc.StoreFailure;
import io.reliablemq.jdbc.SchemaManagement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p><b>Group commit.</b> The two writes every new key costs, the claim's insert and the
 * non-transactional CONSUMED mark, go through one writer thread ({@code reliablemq-dedup-writer},
 * the SDK's one {@link GroupCommitWriter}, shared with the fallback store) that runs all requests
 * queued meanwhile in one transaction and answers each caller only after that commit: a claim is
 * owned, and a mark is durable, exactly when they were with a commit of their own, but one commit
 * serves many consumer threads instead of each parking on the database's commit lock. A claim's
 * insert that meets an existing key is rolled back to its own savepoint and answered as a lost race
 * (the caller reads again). When a batch fails otherwise (a deadlock on a shared database, a lost
 * connection) it is rolled back and each of its requests runs again alone with auto-commit on a
 * fresh connection, so every caller gets its own answer as before. {@link #close} waits for the
 * writer at most {@link DedupStoreConfig#closeTimeout()}. The rarer transitions (reclaim,
 * take-over, lease extension, release, purge) and the mark inside a caller's transaction are not
 * batched.
 *
 * <p><b>Purge in batches.</b> {@link #purgeExpired} deletes at most {@link
 * DedupStoreConfig#purgeBatchSize()} records per statement, each statement its own short
 * transaction, and loops until no expired record is left or the store is closed, so a large purge
 * never holds many row locks or one long transaction against the claims and lease renewals of every
 * instance sharing the table.
 */
public final class JdbcDedupStore implements DedupStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcDedupStore.class);

  /** The component name of this store in the shared version table. */
  public static final String COMPONENT = "dedup";

  private static final StoreFailure FAILURE = DedupStoreException::new;
  private static final int MAX_CLAIM_ROUNDS = 5;
  // Bounds one transaction's row locks on a shared database, and its savepoints under PostgreSQL's
  // 64 cached subtransactions per transaction.
  private static final int MAX_BATCH = 64;

  private final DataSource dataSource;
  private final DedupDialect dialect;
  private final String table;
  private final String location;
  private final EmbeddedH2 h2File;
  private final Clock clock;
  private final DedupStoreConfig config;
  private volatile boolean closed;

  private final GroupCommitWriter<Write, Boolean> writer;

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
    this.config = config;
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
    this.writer =
        new GroupCommitWriter<>(
            "reliablemq-dedup-writer", dataSource, MAX_BATCH, Duration.ZERO, this::writeBatch);
    writer.start();
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
    for (int round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      ClaimResult decided;
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        Row row = read(c, key);
        decided = row == null ? null : claimExisting(c, key, owner, nowMs, leaseMs, row);
        if (row != null && decided == null) {
          continue; // another caller changed the record first: look again
        }
      } catch (SQLException e) {
        throw failure("claim " + key, e);
      }
      if (decided != null) {
        return decided;
      }
      // Absent: insert through the group commit, the read's connection already given back so
      // that a small pool cannot starve the writer.
      if (submit(new Write(key, owner, leaseMs, nowMs, true), "claim " + key)) {
        return ClaimResult.owned(ClaimResult.Status.ACQUIRED);
      }
      // another caller inserted first: look again
    }
    throw new DedupStoreException(
        "Dedup store " + location + ": claim of " + key + " lost " + MAX_CLAIM_ROUNDS + " races",
        null);
  }

  /** Claims a key whose record exists; null when another caller changed it first. */
  private ClaimResult claimExisting(
      Connection c, DedupKey key, String owner, long nowMs, long leaseMs, Row row)
      throws SQLException {
    if (DedupDialect.CONSUMED.equals(row.state)) {
      if (row.expiresAt != null && row.expiresAt > nowMs) {
        return ClaimResult.consumed(Instant.ofEpochMilli(row.expiresAt));
      }
      if (update(c, dialect.reclaimExpiredSql(table), owner, leaseMs, nowMs, key, nowMs)) {
        return ClaimResult.owned(ClaimResult.Status.ACQUIRED);
      }
      return null;
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
      return ClaimResult.owned(mine ? ClaimResult.Status.REENTERED : ClaimResult.Status.TAKEN_OVER);
    }
    return null;
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
    if (submit(new Write(key, owner, exp, nowMs, false), "mark " + key + " consumed")) {
      return true;
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
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

  /**
   * {@inheritDoc}
   *
   * <p>In batches of {@link DedupStoreConfig#purgeBatchSize()} records, each its own statement and
   * connection lease, until a batch deletes fewer; stops early, with the count so far, when the
   * store closes or the calling thread is interrupted.
   */
  @Override
  public int purgeExpired(Instant now) {
    checkOpen();
    long nowMs = now.toEpochMilli();
    int limit = config.purgeBatchSize();
    int total = 0;
    for (String state : new String[] {DedupDialect.CONSUMED, DedupDialect.PROCESSING}) {
      String sql = dialect.purgeBatchSql(table, state, limit);
      int params = (int) sql.chars().filter(ch -> ch == '?').count();
      int deleted;
      do {
        if (closed || Thread.currentThread().isInterrupted()) {
          return total;
        }
        try (Connection c = dataSource.getConnection()) {
          c.setAutoCommit(true);
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= params; i++) {
              ps.setLong(i, nowMs);
            }
            deleted = ps.executeUpdate();
          }
        } catch (SQLException e) {
          throw failure("purge expired records (" + total + " purged before)", e);
        }
        total += deleted;
      } while (deleted >= limit);
    }
    return total;
  }

  /**
   * Closes the store: refuses new calls, commits the writes already queued, stops the writer and,
   * for an embedded H2 file, runs {@code SHUTDOWN} and releases the file. The wait for the writer
   * is bounded by {@link DedupStoreConfig#closeTimeout()}; a write it has not answered by then
   * fails with a {@link DedupStoreException}. A purge running meanwhile stops after its current
   * batch. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      writer.close(config.closeTimeout());
      if (h2File != null) {
        h2File.close();
      }
    } finally {
      LOG.info("Dedup store {} closed", location);
    }
  }

  // ---------------------------------------------------------------- group commit

  /**
   * Queues a write for the writer and waits for its outcome.
   *
   * @return for a claim insert: inserted (false: the key exists, read again); for a mark: the
   *     caller's PROCESSING record is now CONSUMED
   */
  private boolean submit(Write w, String what) {
    checkOpen();
    try {
      // Waits uninterruptibly: once queued the write may commit, so the caller waits for the real
      // outcome rather than guess it (the store's close bounds the wait).
      return writer.submit(w);
    } catch (SQLException e) {
      throw failure(what, e);
    } catch (GroupCommitWriter.StoppedException e) {
      throw new DedupStoreException(
          "Dedup store " + location + ": cannot " + what + ": " + e.getMessage(), e);
    }
  }

  /**
   * The writer's work: a batch in one transaction, each claim's insert under its own savepoint; a
   * single write alone with auto-commit, as a transition of its own would run.
   */
  private List<Boolean> writeBatch(Connection c, List<Write> batch) throws SQLException {
    if (batch.size() == 1) {
      c.setAutoCommit(true);
      try {
        return List.of(apply(c, batch.get(0), false));
      } finally {
        c.setAutoCommit(false);
      }
    }
    List<Boolean> results = new ArrayList<>(batch.size());
    for (Write w : batch) {
      results.add(apply(c, w, true));
    }
    c.commit();
    return results;
  }

  /**
   * Runs one write. In a batch a claim's insert runs under a savepoint: a duplicate key (a racing
   * claim of the same key) is a lost race for that caller alone, and rolling back to the savepoint
   * keeps the batch's transaction usable (PostgreSQL aborts a transaction on a failed statement).
   */
  private boolean apply(Connection c, Write w, boolean inBatch) throws SQLException {
    if (w.claim) {
      if (!inBatch) {
        return insert(c, w.key, DedupDialect.PROCESSING, w.owner, w.time, null, w.nowMs);
      }
      Savepoint sp = c.setSavepoint();
      try {
        insertOrThrow(c, w.key, DedupDialect.PROCESSING, w.owner, w.time, null, w.nowMs);
        return true;
      } catch (SQLException e) {
        if (!isUniqueViolation(e)) {
          throw e;
        }
        c.rollback(sp);
        return false;
      }
    }
    return update(c, dialect.markConsumedSql(table), w.time, w.nowMs, w.key, w.owner);
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
    try {
      insertOrThrow(c, key, state, owner, leaseUntil, expiresAt, nowMs);
      return true;
    } catch (SQLException e) {
      if (isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  private void insertOrThrow(
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

  private static boolean isUniqueViolation(Exception e) {
    if (!(e instanceof SQLException sql)) {
      return false;
    }
    String state = sql.getSQLState();
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

  /**
   * A write for the group commit: a claim's insert of a PROCESSING record ({@code time} = lease
   * until) or a CONSUMED mark ({@code time} = expires at).
   */
  private static final class Write {
    final DedupKey key;
    final String owner;
    final long time;
    final long nowMs;
    final boolean claim;

    Write(DedupKey key, String owner, long time, long nowMs, boolean claim) {
      this.key = key;
      this.owner = owner;
      this.time = time;
      this.nowMs = nowMs;
      this.claim = claim;
    }
  }

  /** One record as read. */
  private record Row(String state, String owner, Long leaseUntil, Long expiresAt) {}
}
