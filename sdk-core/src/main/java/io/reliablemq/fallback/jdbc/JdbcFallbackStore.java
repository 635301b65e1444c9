package io.reliablemq.fallback.jdbc;

import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.CapacityReservation;
import io.reliablemq.fallback.Durability;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreException;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.internal.jdbc.EmbeddedH2;
import io.reliablemq.internal.jdbc.GroupCommitWriter;
import io.reliablemq.internal.jdbc.SchemaMigrator;
import io.reliablemq.internal.jdbc.StoreFailure;
import io.reliablemq.jdbc.DatabaseKind;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.message.ReliableMessage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link FallbackStore} on a relational database: an embedded H2 file the SDK opens itself
 * ({@link #h2}), or a shared database reached through a {@link DataSource} ({@link #create}).
 *
 * <p><b>Group commit.</b> {@link #append} callers enqueue their message and wait; one writer thread
 * ({@code reliablemq-fallback-writer}, the SDK's one {@link GroupCommitWriter}) takes everything
 * queued, up to {@link FallbackStoreConfig#groupCommitMaxBatch()} appends, inserts them in one
 * transaction (a JDBC batch), commits, in {@link Durability#POWER_LOSS} mode also runs the
 * dialect's sync statement, and only then answers every caller of the batch. One commit (and one
 * fsync) therefore serves many callers, so throughput under an outage is far above one commit per
 * message. A batch that fails is rolled back and each of its appends is written again alone, on a
 * fresh connection: one refused append (a duplicate id) or one stale pooled connection fails only
 * the appends it concerns, and a caller's {@link FallbackStoreException} means its message was not
 * stored. {@link #close} waits for the writer at most {@link FallbackStoreConfig#closeTimeout()};
 * an append still queued then fails as not stored, one whose commit still runs fails with an
 * exception that says its outcome is unknown (it may be stored and replayed later: a duplicate at
 * worst, never a loss).
 *
 * <p><b>Capacity and fences.</b> Rows and body bytes held are counted in memory (read from the
 * database at open, reserved before an append is queued, released on delete), so a full store
 * refuses an append with {@link FallbackStoreFullException} before any I/O. Room {@link #reserve
 * reserved} by accepted asynchronous sends counts as held until their append consumes it or they
 * release it. {@link #holdsGroup} is answered from an in-memory count per (topic, group), also
 * reserved before the append is queued (a fence goes up no later than the entry is committed) and
 * lowered on delete. On a database shared by several instances both are approximations: each
 * instance sees the totals at its open plus its own appends and deletes, so the capacity limit is
 * per instance and may be overshot by the others' appends, and a fence may stay up after another
 * instance's replayer deleted the group's entries (which only routes that group's sends through the
 * store until restart, never loses or reorders anything).
 *
 * <p><b>Embedded H2.</b> The URL is built here only, from the validated directory and name: {@code
 * jdbc:h2:file:<dir>/<name>;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0}, with H2's
 * default file lock and retention time and no server, console or {@code AUTO_SERVER} of any kind.
 * The directory is created with mode 0700 and the store files set to 0600 on POSIX systems. One
 * process opens a store file at a time; a second open (another process, or the same process twice)
 * fails with a {@link FallbackStoreException} naming the file. {@link #close} runs {@code SHUTDOWN}
 * (not {@code SHUTDOWN COMPACT}, which rewrites the whole file). Only the H2 versions whose {@code
 * kill -9} test passed are opened (2.5.x lost acknowledged commits in it; docs/guarantees.md).
 *
 * <p>Logs name ids, topics, paths and counts, never bodies or property values.
 */
public final class JdbcFallbackStore implements FallbackStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcFallbackStore.class);

  /** The component name of this store in the shared version table. */
  public static final String COMPONENT = "fallback";

  private static final int MAX_ID_LENGTH = 255;
  private static final int MAX_TOPIC_LENGTH = 255;
  private static final int MAX_TAG_LENGTH = 1024;
  private static final int MAX_GROUP_LENGTH = 255;
  private static final int MAX_ERROR_LENGTH = 4000;

  private static final StoreFailure FAILURE = FallbackStoreException::new;

  private final DataSource dataSource;
  private final Dialect dialect;
  private final FallbackStoreConfig config;
  private final Clock clock;
  private final String table;
  private final String location;
  private final EmbeddedH2 h2File;
  private final SchemaMigrator migrator;

  private final Object stateLock = new Object();
  private long rows;
  private long bytes;
  // Room promised to accepted sends that are not appended yet (CapacityReservation).
  private long reservedRows;
  private long reservedBytes;
  private boolean closed;
  private final ConcurrentHashMap<GroupKey, Long> groups = new ConcurrentHashMap<>();

  private final Object claimLock = new Object();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong appends = new AtomicLong();
  private final GroupCommitWriter<AppendRequest, Appended> writer;

  private JdbcFallbackStore(
      DataSource dataSource,
      Dialect dialect,
      FallbackStoreConfig config,
      String location,
      EmbeddedH2 h2File) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.config = config;
    this.clock = config.clock();
    this.table = entriesTable(config.tablePrefix());
    this.location = location;
    this.h2File = h2File;
    this.migrator = new SchemaMigrator(schemaSpec(dialect, config.tablePrefix(), location));
    try (Connection c = dataSource.getConnection()) {
      if (config.schemaManagement() == SchemaManagement.AUTO) {
        migrator.migrate(c);
      } else {
        migrator.validate(c);
      }
      loadCounters(c);
      if (h2File != null) {
        releaseAllLeases(c);
      }
    } catch (SQLException e) {
      throw new FallbackStoreException(
          "Cannot open fallback store " + location + ": " + describe(e), e);
    }
    // Started last: a failed open must leave no thread behind.
    this.writer =
        new GroupCommitWriter<>(
            "reliablemq-fallback-writer",
            dataSource,
            config.groupCommitMaxBatch(),
            config.groupCommitMaxLinger(),
            this::writeBatch);
    writer.start();
    LOG.info(
        "Fallback store {} open ({} dialect, {} entries, {} body bytes, durability {})",
        location,
        dialect.name(),
        rows,
        bytes,
        config.durability());
  }

  /**
   * Opens (creating if needed) the embedded H2 store file {@code <directory>/<name>.mv.db}.
   *
   * @param config the settings; directory and name locate the file
   * @return the open store
   * @throws FallbackStoreException when the directory cannot be created or written, the file is
   *     open in another process (or already in this one), or the file is corrupt; the message names
   *     the path
   */
  public static JdbcFallbackStore h2(FallbackStoreConfig config) {
    Objects.requireNonNull(config, "config");
    EmbeddedH2 file = EmbeddedH2.open(config.directory(), config.name(), "Fallback store", FAILURE);
    try {
      return new JdbcFallbackStore(
          file.dataSource(), H2Dialect.INSTANCE, config, file.file().toString(), file);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Opens the store on a database the application provides (typically shared by several instances).
   * The SDK neither configures nor closes the data source.
   *
   * @param dataSource the database
   * @param dialect its dialect
   * @param config the settings; directory and name are unused
   * @return the open store
   * @throws FallbackStoreException when the database cannot be reached or its schema is not the one
   *     expected
   */
  public static JdbcFallbackStore create(
      DataSource dataSource, Dialect dialect, FallbackStoreConfig config) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(config, "config");
    return new JdbcFallbackStore(
        dataSource,
        dialect,
        config,
        "table " + entriesTable(config.tablePrefix()) + " (" + dialect.name() + ")",
        null);
  }

  /**
   * The JDBC URL of an embedded store; the only place it is built.
   *
   * @param directory the validated, absolute directory
   * @param name the validated name
   * @return the URL
   */
  static String h2Url(Path directory, String name) {
    return EmbeddedH2.url(directory, name);
  }

  /**
   * The entries table of a prefix.
   *
   * @param prefix the validated table prefix
   * @return {@code <prefix>_fallback}
   */
  public static String entriesTable(String prefix) {
    return prefix + "_fallback";
  }

  /**
   * The version table of a prefix.
   *
   * @param prefix the validated table prefix
   * @return {@code <prefix>_schema_version}
   */
  public static String versionTable(String prefix) {
    return prefix + "_schema_version";
  }

  /**
   * The whole schema as a script, for Flyway, Liquibase or a DBA when {@link SchemaManagement#NONE}
   * is chosen: the version table, every migration in order, and the version rows the store checks
   * at open.
   *
   * @param dialect the database's dialect
   * @param prefix the table prefix, validated like {@link FallbackStoreConfig.Builder#tablePrefix}
   * @return the DDL, one statement per line group, each ending in {@code ;}
   */
  public static String ddl(Dialect dialect, String prefix) {
    String p = FallbackStoreConfig.custom().tablePrefix(prefix).build().tablePrefix();
    return new SchemaMigrator(schemaSpec(dialect, p, "ddl"))
        .ddl("ReliableMQ fallback store, " + dialect.name() + ", prefix " + p);
  }

  private static SchemaMigrator.Spec schemaSpec(Dialect dialect, String prefix, String location) {
    String vt = versionTable(prefix);
    return new SchemaMigrator.Spec(
        "Fallback store",
        location,
        COMPONENT,
        vt,
        dialect.createVersionTableSql(vt),
        dialect.currentVersionSql(vt),
        dialect.recordVersionSql(vt),
        dialect.migrations(prefix),
        "JdbcFallbackStore.ddl",
        FAILURE);
  }

  /**
   * Prints the DDL: {@code JdbcFallbackStore [dialect [prefix]]}, dialect {@code h2}, {@code
   * postgresql} or {@code mariadb} ({@code h2} by default) and prefix {@code rmq} by default.
   *
   * @param args optional dialect and prefix
   */
  public static void main(String[] args) {
    String dialectName = args.length > 0 ? args[0] : "h2";
    String prefix = args.length > 1 ? args[1] : "rmq";
    Dialect dialect = Dialect.of(DatabaseKind.fromDialectName(dialectName));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(ddl(dialect, prefix));
  }

  // ---------------------------------------------------------------- append and group commit

  @Override
  public StoredEntry append(ReliableMessage message, boolean transactional) {
    return append(message, transactional, CapacityReservation.NONE);
  }

  @Override
  public StoredEntry append(
      ReliableMessage message, boolean transactional, CapacityReservation reservation) {
    Objects.requireNonNull(reservation, "reservation");
    AppendRequest request = prepareAppend(message, transactional);
    synchronized (stateLock) {
      consume(reservation);
      reserve(request);
    }
    Appended appended;
    try {
      // Waits uninterruptibly: once queued the append may commit, and an exception here must mean
      // "not stored" (or say that the outcome is unknown), so the caller waits for the real
      // outcome.
      appended = writer.submit(request);
    } catch (GroupCommitWriter.StoppedException e) {
      if (e.mayHaveBeenWritten()) {
        // Kept counted: a stored entry must keep its fence up, and an overcount only refuses early.
        throw new FallbackStoreException(
            "Fallback store "
                + location
                + ": outcome of the append unknown, it may be stored: "
                + e.getMessage(),
            e);
      }
      release(request.bodyBytes, GroupKey.of(request.message));
      throw new FallbackStoreException(
          "Fallback store " + location + ": append not stored: " + e.getMessage(), e);
    } catch (SQLException | RuntimeException e) {
      release(request.bodyBytes, GroupKey.of(request.message));
      throw new FallbackStoreException(
          "Fallback store "
              + location
              + " could not commit the append: "
              + (e instanceof SQLException sql ? describe(sql) : e.toString()),
          e);
    }
    if (appended.unsynced != null) {
      throw appended.unsynced;
    }
    return appended.entry;
  }

  /**
   * Appends a message through the caller's connection, inside the caller's open transaction (the
   * outbox of the transactional template): the entry commits or vanishes with the business effect.
   * The store must live in the database of that connection ({@link #create}).
   *
   * <p>Capacity and the group fence are reserved here, as for {@link #append}, before the row is
   * inserted. If the caller's transaction then rolls back, the caller must hand the entry to {@link
   * #abandonInTransaction} once, or the reservation stays counted until the store is reopened (the
   * counters are re-read from the table at open). That error is conservative: a store that believes
   * itself fuller refuses appends earlier and a stale fence routes its group through the store;
   * nothing is lost or reordered. The durability of the row is the caller's commit's: no group
   * commit and no {@code CHECKPOINT SYNC} run for it.
   *
   * @param connection the caller's connection, auto-commit off; not committed, closed or rolled
   *     back here
   * @param message the validated message, {@code reliablemq_id} set
   * @param transactional whether it must be replayed as a transactional message
   * @return the entry, visible to the replayer once the caller commits
   * @throws FallbackStoreFullException when the row or byte capacity would be exceeded
   * @throws FallbackStoreException when the insert fails (the reservation is released)
   */
  public StoredEntry appendInTransaction(
      Connection connection, ReliableMessage message, boolean transactional) {
    Objects.requireNonNull(connection, "connection");
    AppendRequest request = prepareAppend(message, transactional);
    synchronized (stateLock) {
      reserve(request);
    }
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalArgumentException(
            "connection must be in a transaction (auto-commit off) to append in it");
      }
      long seq;
      try (PreparedStatement ps =
          connection.prepareStatement(dialect.insertSql(table), new String[] {"seq"})) {
        bindInsert(ps, request);
        ps.executeUpdate();
        seq = readSequence(connection, ps, request);
      }
      return new StoredEntry(
          seq,
          request.message,
          request.transactional,
          request.storedAt,
          0,
          null,
          EntryState.PENDING);
    } catch (SQLException | RuntimeException e) {
      release(request.bodyBytes, GroupKey.of(request.message));
      if (e instanceof SQLException) {
        throw failure("append in the caller's transaction", (SQLException) e);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Releases the capacity and fence reserved by {@link #appendInTransaction} after the caller's
   * transaction rolled back. Call it once per rolled-back entry, never for a committed one.
   *
   * @param entry the entry {@link #appendInTransaction} returned
   */
  public void abandonInTransaction(StoredEntry entry) {
    Objects.requireNonNull(entry, "entry");
    release(entry.message().bodyLength(), GroupKey.of(entry.message()));
  }

  private long readSequence(Connection c, PreparedStatement ps, AppendRequest r)
      throws SQLException {
    try (ResultSet keys = ps.getGeneratedKeys()) {
      if (keys.next()) {
        return keys.getLong(1);
      }
    }
    try (PreparedStatement q = c.prepareStatement("SELECT seq FROM " + table + " WHERE id = ?")) {
      q.setString(1, r.message.id().orElseThrow());
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("inserted entry not found by id");
        }
        return rs.getLong(1);
      }
    }
  }

  /** Validates a message for the store and resolves a leftover delay, once. */
  private AppendRequest prepareAppend(ReliableMessage message, boolean transactional) {
    Objects.requireNonNull(message, "message");
    String id = message.id().orElseThrow(() -> new IllegalArgumentException("message has no id"));
    checkLength("id", id, MAX_ID_LENGTH);
    checkLength("topic", Objects.requireNonNull(message.topic(), "topic"), MAX_TOPIC_LENGTH);
    checkLength("tag", message.tag().orElse(null), MAX_TAG_LENGTH);
    checkLength("messageGroup", message.messageGroup().orElse(null), MAX_GROUP_LENGTH);
    if (message.bodyLength() == 0) {
      throw new IllegalArgumentException("message body is empty");
    }
    Instant storedAt = clock.instant();
    ReliableMessage stored = message;
    if (message.deliveryDelay().isPresent()) {
      // The producer normally resolves a delay; if not, it is resolved now, once, so a replay
      // never restarts it.
      stored =
          message.toBuilder().deliveryTime(storedAt.plus(message.deliveryDelay().get())).build();
    }
    return new AppendRequest(stored, transactional, storedAt, message.bodyLength());
  }

  /** Reserves capacity and raises the fence; the caller holds {@code stateLock}. */
  private void reserve(AppendRequest request) {
    if (closed) {
      throw new FallbackStoreException("Fallback store " + location + " is closed", null);
    }
    checkRoom(request.bodyBytes);
    rows++;
    bytes += request.bodyBytes;
    GroupKey group = GroupKey.of(request.message);
    if (group != null) {
      // Raised before the commit: a send of this group racing the append is fenced too.
      groups.merge(group, 1L, Long::sum);
    }
  }

  private void release(int bodyBytes, GroupKey group) {
    synchronized (stateLock) {
      rows--;
      bytes -= bodyBytes;
      lowerFence(group);
    }
  }

  /**
   * The writer's work: inserts a batch in one transaction (a JDBC batch), commits, and in
   * POWER_LOSS mode syncs. Throwing makes the writer roll back and write each append alone.
   */
  private List<Appended> writeBatch(Connection c, List<AppendRequest> batch) throws SQLException {
    long[] seqs = new long[batch.size()];
    try (PreparedStatement ps =
        c.prepareStatement(dialect.insertSql(table), new String[] {"seq"})) {
      for (AppendRequest r : batch) {
        bindInsert(ps, r);
        ps.addBatch();
      }
      ps.executeBatch();
      readSequences(c, ps, batch, seqs);
    }
    c.commit();
    List<Appended> results = new ArrayList<>(batch.size());
    FallbackStoreException unsynced = null;
    if (config.durability() == Durability.POWER_LOSS && dialect.syncStatement().isPresent()) {
      try (Statement s = c.createStatement()) {
        s.execute(dialect.syncStatement().get());
      } catch (SQLException e) {
        // Committed but not synced: the promise of the mode is not kept, so take the rows back
        // out; the writer then writes each append alone and each caller gets its own answer.
        if (compensate(c, batch)) {
          throw e;
        }
        LOG.error(
            "Fallback store {}: group commit of {} entries committed, but its sync failed",
            location,
            batch.size(),
            e);
        unsynced =
            new FallbackStoreException(
                "Fallback store "
                    + location
                    + " could not commit the append durably (committed, but the sync to disk"
                    + " failed): "
                    + describe(e),
                e);
      }
    }
    commits.incrementAndGet();
    appends.addAndGet(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      AppendRequest r = batch.get(i);
      results.add(
          new Appended(
              new StoredEntry(
                  seqs[i], r.message, r.transactional, r.storedAt, 0, null, EntryState.PENDING),
              unsynced));
    }
    return results;
  }

  private void bindInsert(PreparedStatement ps, AppendRequest r) throws SQLException {
    ReliableMessage m = r.message;
    ps.setString(1, m.id().orElseThrow());
    ps.setString(2, m.topic());
    ps.setString(3, m.tag().orElse(null));
    ps.setString(4, EntryCodec.encodeKeys(m.keys()));
    ps.setString(5, EntryCodec.encodeProperties(m.properties()));
    ps.setString(6, m.messageGroup().orElse(null));
    if (m.deliveryTime().isPresent()) {
      ps.setLong(7, m.deliveryTime().get().toEpochMilli());
    } else {
      ps.setNull(7, java.sql.Types.BIGINT);
    }
    ps.setBoolean(8, r.transactional);
    ps.setBytes(9, m.body());
    ps.setInt(10, r.bodyBytes);
    ps.setLong(11, r.storedAt.toEpochMilli());
    ps.setString(12, Dialect.PENDING);
  }

  private void readSequences(
      Connection c, PreparedStatement ps, List<AppendRequest> batch, long[] seqs)
      throws SQLException {
    int n = 0;
    try (ResultSet keys = ps.getGeneratedKeys()) {
      while (keys.next() && n < seqs.length) {
        seqs[n++] = keys.getLong(1);
      }
    }
    if (n == seqs.length) {
      return;
    }
    // A driver that does not return keys for a batch: read them back by id, same transaction.
    try (PreparedStatement q = c.prepareStatement("SELECT seq FROM " + table + " WHERE id = ?")) {
      for (int i = 0; i < batch.size(); i++) {
        q.setString(1, batch.get(i).message.id().orElseThrow());
        try (ResultSet rs = q.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("inserted entry not found by id");
          }
          seqs[i] = rs.getLong(1);
        }
      }
    }
  }

  private boolean compensate(Connection c, List<AppendRequest> batch) {
    try {
      try (PreparedStatement ps = c.prepareStatement(dialect.deleteSql(table))) {
        for (AppendRequest r : batch) {
          ps.setString(1, r.message.id().orElseThrow());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
      return true;
    } catch (SQLException e) {
      LOG.error("Fallback store {}: cannot take back an unsynced batch", location, e);
      return false;
    }
  }

  /**
   * Group commits done so far (each one transaction, and one sync in POWER_LOSS mode). Fewer than
   * {@link #appends()} whenever appends were concurrent.
   *
   * @return the commit count
   */
  public long commits() {
    return commits.get();
  }

  /**
   * Appends committed so far by this instance.
   *
   * @return the append count
   */
  public long appends() {
    return appends.get();
  }

  /**
   * The append writer, for tests that watch its queue.
   *
   * @return the writer
   */
  GroupCommitWriter<?, ?> writer() {
    return writer;
  }

  // ---------------------------------------------------------------- fences and capacity

  @Override
  public boolean holdsGroup(String topic, String messageGroup) {
    if (topic == null || messageGroup == null) {
      return false;
    }
    return groups.containsKey(new GroupKey(topic, messageGroup));
  }

  @Override
  public CapacityReservation reserve(int bodyBytes) {
    if (bodyBytes < 0) {
      throw new IllegalArgumentException("bodyBytes must be >= 0, was " + bodyBytes);
    }
    synchronized (stateLock) {
      if (closed) {
        throw new FallbackStoreException("Fallback store " + location + " is closed", null);
      }
      checkRoom(bodyBytes);
      reservedRows++;
      reservedBytes += bodyBytes;
      return new Reservation(bodyBytes);
    }
  }

  /** Throws when one more entry of {@code bodyBytes} does not fit; the caller holds stateLock. */
  private void checkRoom(long bodyBytes) {
    long heldRows = rows + reservedRows;
    long heldBytes = bytes + reservedBytes;
    if (heldRows + 1 > config.maxRows() || heldBytes + bodyBytes > config.maxBytes()) {
      throw new FallbackStoreFullException(
          heldRows, heldBytes, config.maxRows(), config.maxBytes());
    }
  }

  /**
   * Ends a reservation of this store before its append reserves for real, in the same hold of
   * stateLock, so no other send can take the room in between; the caller holds stateLock.
   */
  private void consume(CapacityReservation reservation) {
    if (reservation instanceof Reservation r && r.owner() == this) {
      r.endLocked();
    } else if (reservation != CapacityReservation.NONE) {
      reservation.release();
    }
  }

  /** Room reserved in this store; ends once, under stateLock. */
  private final class Reservation implements CapacityReservation {
    private final long bodyBytes;
    private boolean ended;

    Reservation(long bodyBytes) {
      this.bodyBytes = bodyBytes;
    }

    JdbcFallbackStore owner() {
      return JdbcFallbackStore.this;
    }

    void endLocked() {
      if (!ended) {
        ended = true;
        reservedRows--;
        reservedBytes -= bodyBytes;
      }
    }

    @Override
    public void release() {
      synchronized (stateLock) {
        endLocked();
      }
    }
  }

  private void lowerFence(GroupKey group) {
    if (group != null) {
      groups.computeIfPresent(group, (k, v) -> v <= 1 ? null : v - 1);
    }
  }

  private void loadCounters(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(dialect.totalsSql(table))) {
        rs.next();
        synchronized (stateLock) {
          rows = rs.getLong(1);
          bytes = rs.getLong(2);
        }
      }
      try (ResultSet rs = s.executeQuery(dialect.groupCountsSql(table))) {
        while (rs.next()) {
          groups.put(new GroupKey(rs.getString(1), rs.getString(2)), rs.getLong(3));
        }
      }
    }
  }

  // ---------------------------------------------------------------- replay side

  @Override
  public List<StoredEntry> claim(String owner, int max, Duration lease) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(lease, "lease");
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive, was " + lease);
    }
    checkOpen();
    // One claim at a time in this process; the conditional UPDATE guards against other processes.
    synchronized (claimLock) {
      long now = clock.millis();
      long until = now + lease.toMillis();
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try {
          Optional<String> lock = dialect.claimLockSql(table);
          if (lock.isPresent()) {
            try (PreparedStatement ps = c.prepareStatement(lock.get());
                ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new SQLException("claim lock row missing in " + Dialect.lockTable(table));
              }
            }
          }
          List<StoredEntry> candidates = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(dialect.claimCandidatesSql(table))) {
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setString(3, owner);
            ps.setInt(4, max);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                candidates.add(EntryCodec.read(rs));
              }
            }
          }
          List<StoredEntry> claimed = new ArrayList<>(candidates.size());
          Set<GroupKey> blocked = new HashSet<>();
          try (PreparedStatement ps = c.prepareStatement(dialect.claimSql(table))) {
            for (StoredEntry e : candidates) {
              GroupKey g = GroupKey.of(e.message());
              if (g != null && blocked.contains(g)) {
                continue;
              }
              ps.setString(1, owner);
              ps.setLong(2, until);
              ps.setLong(3, e.sequence());
              ps.setLong(4, now);
              if (ps.executeUpdate() == 1) {
                claimed.add(e);
              } else if (g != null) {
                // Someone else took an earlier entry of the group: later ones must wait for it.
                blocked.add(g);
              }
            }
          }
          c.commit();
          return claimed;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw failure("claim entries", e);
      }
    }
  }

  @Override
  public boolean delete(String id) {
    Objects.requireNonNull(id, "id");
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        int bodyBytes;
        GroupKey group;
        try (PreparedStatement ps = c.prepareStatement(dialect.selectForDeleteSql(table))) {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return false;
            }
            bodyBytes = rs.getInt(1);
            String g = rs.getString(3);
            group = g == null ? null : new GroupKey(rs.getString(2), g);
          }
        }
        int n;
        try (PreparedStatement ps = c.prepareStatement(dialect.deleteSql(table))) {
          ps.setString(1, id);
          n = ps.executeUpdate();
        }
        c.commit();
        if (n == 1) {
          synchronized (stateLock) {
            rows--;
            bytes -= bodyBytes;
          }
          lowerFence(group);
          return true;
        }
        return false;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("delete entry " + id, e);
    }
  }

  @Override
  public int deleteAll(Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      return 0;
    }
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<GroupKey> groupsDeleted = new ArrayList<>();
        long bytesDeleted = 0;
        int removed = 0;
        try (PreparedStatement select = c.prepareStatement(dialect.selectForDeleteSql(table));
            PreparedStatement delete = c.prepareStatement(dialect.deleteSql(table))) {
          for (String id : ids) {
            select.setString(1, id);
            int bodyBytes;
            GroupKey group;
            try (ResultSet rs = select.executeQuery()) {
              if (!rs.next()) {
                continue;
              }
              bodyBytes = rs.getInt(1);
              String g = rs.getString(3);
              group = g == null ? null : new GroupKey(rs.getString(2), g);
            }
            delete.setString(1, id);
            if (delete.executeUpdate() == 1) {
              removed++;
              bytesDeleted += bodyBytes;
              groupsDeleted.add(group);
            }
          }
        }
        c.commit();
        synchronized (stateLock) {
          rows -= removed;
          bytes -= bytesDeleted;
        }
        groupsDeleted.forEach(this::lowerFence);
        return removed;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("delete " + ids.size() + " entries", e);
    }
  }

  @Override
  public void recordFailure(String id, String error) {
    int n =
        update(dialect.recordFailureSql(table), "record a failure of " + id, truncate(error), id);
    if (n == 0) {
      LOG.debug("Fallback store {}: no entry {} to record a failure on", location, id);
    }
  }

  @Override
  public void park(String id, String error) {
    int n = update(dialect.parkSql(table), "park entry " + id, truncate(error), id);
    if (n == 1) {
      LOG.warn("Fallback store {}: parked entry {}", location, id);
    }
  }

  @Override
  public boolean unpark(String id) {
    return update(dialect.unparkSql(table), "unpark entry " + id, id) == 1;
  }

  /**
   * Frees the leases a killed process left in an embedded H2 file. Its file lock proves that no
   * other process has the file open, so every lease belongs to a dead instance (under a random
   * owner id nobody will use again): without this a restart waits out the whole lease.
   */
  private void releaseAllLeases(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      int n = s.executeUpdate(dialect.releaseAllLeasesSql(table));
      if (!c.getAutoCommit()) {
        c.commit();
      }
      if (n > 0) {
        LOG.info("Fallback store {}: released {} leases left by a previous process", location, n);
      }
    }
  }

  @Override
  public int releaseOwner(String owner) {
    Objects.requireNonNull(owner, "owner");
    checkOpen();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(dialect.releaseOwnerSql(table))) {
      ps.setString(1, owner);
      int n = ps.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
      return n;
    } catch (SQLException e) {
      throw failure("release the leases of " + owner, e);
    }
  }

  @Override
  public int release(String owner, Collection<String> ids) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      return 0;
    }
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(dialect.releaseSql(table))) {
        for (String id : ids) {
          ps.setString(1, Objects.requireNonNull(id, "id"));
          ps.setString(2, owner);
          ps.addBatch();
        }
        int released = 0;
        for (int n : ps.executeBatch()) {
          // SUCCESS_NO_INFO (-2) where a driver does not count a batched update: count it as done.
          released += n == Statement.SUCCESS_NO_INFO ? 1 : Math.max(n, 0);
        }
        c.commit();
        return released;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("release " + ids.size() + " leases", e);
    }
  }

  @Override
  public List<BlockedGroup> blockedGroups(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    checkOpen();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(dialect.blockedGroupsSql(table))) {
      ps.setInt(1, limit);
      List<BlockedGroup> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new BlockedGroup(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  Optional.ofNullable(rs.getString(4)),
                  rs.getLong(5)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("list blocked message groups", e);
    }
  }

  @Override
  public long countBlockedGroups() {
    return queryLong(dialect.countBlockedGroupsSql(table), null, "count blocked message groups");
  }

  private int update(String sql, String what, String... params) {
    checkOpen();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      int n = ps.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
      return n;
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  // ---------------------------------------------------------------- operations

  @Override
  public long count() {
    return queryLong(dialect.countSql(table), null, "count entries");
  }

  @Override
  public long count(EntryState state) {
    Objects.requireNonNull(state, "state");
    return queryLong(dialect.countByStateSql(table), state.name(), "count entries");
  }

  @Override
  public Optional<Instant> oldestStoredAt() {
    checkOpen();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(dialect.oldestStoredAtSql(table));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long millis = rs.getLong(1);
      return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    } catch (SQLException e) {
      throw failure("read the oldest entry", e);
    }
  }

  @Override
  public List<StoredEntry> list(long offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    checkOpen();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(dialect.listSql(table))) {
      ps.setInt(1, limit);
      ps.setLong(2, offset);
      List<StoredEntry> page = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          page.add(EntryCodec.read(rs));
        }
      }
      return page;
    } catch (SQLException e) {
      throw failure("list entries", e);
    }
  }

  @Override
  public Optional<StoredEntry> find(String id) {
    Objects.requireNonNull(id, "id");
    checkOpen();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(dialect.findSql(table))) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(EntryCodec.read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("find entry " + id, e);
    }
  }

  private long queryLong(String sql, String param, String what) {
    checkOpen();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /**
   * Where this store lives, for messages: the H2 file path, or the table on a shared database.
   *
   * @return the location
   */
  public String location() {
    return location;
  }

  /**
   * Closes the store: refuses new appends, commits those already queued, stops the writer and, for
   * an embedded H2 file, runs {@code SHUTDOWN} and releases the file. The wait for the writer is
   * bounded by {@link FallbackStoreConfig#closeTimeout()}: appends it has not answered by then fail
   * (see the class comment). Idempotent.
   */
  @Override
  public void close() {
    synchronized (stateLock) {
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
      LOG.info("Fallback store {} closed", location);
    }
  }

  // ---------------------------------------------------------------- schema

  // ---------------------------------------------------------------- helpers

  private void checkOpen() {
    synchronized (stateLock) {
      if (closed) {
        // Also keeps a closed embedded store from being reopened by a new connection.
        throw new FallbackStoreException("Fallback store " + location + " is closed", null);
      }
    }
  }

  private FallbackStoreException failure(String what, SQLException e) {
    return new FallbackStoreException(
        "Fallback store " + location + ": cannot " + what + ": " + describe(e), e);
  }

  private static String truncate(String error) {
    if (error == null || error.length() <= MAX_ERROR_LENGTH) {
      return error;
    }
    return error.substring(0, MAX_ERROR_LENGTH - 3) + "...";
  }

  private static void checkLength(String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(
          field + " must be at most " + max + " characters to be stored, was " + value.length());
    }
  }

  /** SQL error text with a hint for the failures an operator can fix. */
  static String describe(SQLException e) {
    return EmbeddedH2.describe(e);
  }

  /** One append, as the writer writes it. */
  private static final class AppendRequest {
    final ReliableMessage message;
    final boolean transactional;
    final Instant storedAt;
    final int bodyBytes;

    AppendRequest(ReliableMessage message, boolean transactional, Instant storedAt, int bodyBytes) {
      this.message = message;
      this.transactional = transactional;
      this.storedAt = storedAt;
      this.bodyBytes = bodyBytes;
    }
  }

  /**
   * The writer's answer to one append: the entry, and the failure to report when its batch
   * committed but could not be synced or taken back (the entry is stored, not durably).
   */
  private record Appended(StoredEntry entry, FallbackStoreException unsynced) {}

  /** A FIFO fence key: a message group is scoped to its topic. */
  private record GroupKey(String topic, String group) {
    static GroupKey of(ReliableMessage m) {
      return m.messageGroup().map(g -> new GroupKey(m.topic(), g)).orElse(null);
    }
  }
}
