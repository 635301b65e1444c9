package io.reliablemq.fallback.jdbc;

import io.reliablemq.jdbc.DatabaseKind;
import io.reliablemq.jdbc.Migration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link JdbcFallbackStore} needs to know about one database: the DDL of each numbered
 * migration, the SQL of each operation, and how claims are serialised between instances.
 *
 * <p>The default methods are standard SQL that H2, PostgreSQL and MySQL 8 all accept ({@code LIMIT
 * ? OFFSET ?}, {@code COUNT}, conditional {@code UPDATE}s); a dialect overrides what differs,
 * usually only the DDL. Every table name handed in has been validated by {@link
 * io.reliablemq.fallback.FallbackStoreConfig} ({@code ^[A-Za-z][A-Za-z0-9_]*$}), and every value is
 * a {@code ?} bound through a {@code PreparedStatement}, never concatenated.
 *
 * <p>Time columns ({@code delivery_time}, {@code stored_at}, {@code lease_until}) are epoch
 * milliseconds in {@code BIGINT}: identical on every database, free of session time zones.
 *
 * <p><b>Claims on a shared database.</b> The store claims in one transaction: {@link #claimLockSql}
 * first (on the server dialects a row lock that serialises the claims of every instance), then
 * {@link #claimCandidatesSql} picks the oldest claimable rows with a plain, non-locking read, then
 * {@link #claimSql} leases each one with a conditional update that only succeeds while the lease is
 * still free, so two owners never hold one entry.
 *
 * <p>The candidate read must judge every row from one snapshot. It once ran {@code FOR UPDATE SKIP
 * LOCKED}, and on MariaDB/InnoDB that split message groups: a locking read skips a row that another
 * instance is releasing (its {@code recordFailure} update not yet committed) without reading it,
 * while the {@code NOT EXISTS} subquery is a consistent read whose snapshot InnoDB creates lazily,
 * at the first row that needs it. When the release committed between the two, the head of the group
 * was skipped as locked and seen as free by the subquery, so a later entry of the group was claimed
 * while its head stayed pending (group G3 sent id-196 before id-174). A plain read under the claim
 * lock sees one state: a lease released or an entry deleted after its snapshot still looks held,
 * which only makes the claim wait for the next round, and the conditional update re-checks the
 * current row. {@code MariaDbFallbackStoreTest#claim_neverSkipsAGroupHead_releasedDuringTheScan}
 * replays that interleaving deterministically.
 */
public interface Dialect {
  /**
   * The fallback store's dialect for a database.
   *
   * @param kind the database, for example from {@link DatabaseKind#detect}
   * @return the dialect
   */
  static Dialect of(DatabaseKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case H2 -> H2Dialect.INSTANCE;
      case POSTGRESQL -> PostgresDialect.INSTANCE;
      case MARIADB -> MariaDbDialect.INSTANCE;
    };
  }

  /** The state column value of a pending entry. */
  String PENDING = "PENDING";

  /** The state column value of a parked entry. */
  String PARKED = "PARKED";

  /** The name of the row in the claim lock table that serialises claims. */
  String CLAIM_LOCK = "claim";

  /**
   * A short name for logs and the DDL printer, e.g. {@code h2}.
   *
   * @return the name
   */
  String name();

  /**
   * The numbered migrations, oldest first, versions 1, 2, ... without gaps.
   *
   * @param prefix the validated table prefix
   * @return the migrations
   */
  List<Migration> migrations(String prefix);

  /**
   * A statement to run after each group commit to make it survive a power loss, for databases that
   * do not fsync their commits (H2's {@code CHECKPOINT SYNC}). Server databases fsync on commit per
   * their own configuration and return empty.
   *
   * @return the statement, if one is needed
   */
  Optional<String> syncStatement();

  /**
   * The {@code CREATE TABLE IF NOT EXISTS} of the version table: one row per applied migration,
   * keyed by component (so other ReliableMQ stores may share the table) and version.
   *
   * @param versionTable the validated version table name
   * @return the DDL
   */
  default String createVersionTableSql(String versionTable) {
    return "CREATE TABLE IF NOT EXISTS "
        + versionTable
        + " (component VARCHAR(64) NOT NULL, version INT NOT NULL,"
        + " description VARCHAR(255) NOT NULL, PRIMARY KEY (component, version))";
  }

  /**
   * Reads the highest applied version of a component; one parameter, the component.
   *
   * @param versionTable the version table
   * @return the SQL
   */
  default String currentVersionSql(String versionTable) {
    return "SELECT MAX(version) FROM " + versionTable + " WHERE component = ?";
  }

  /**
   * Records an applied migration; parameters component, version, description.
   *
   * @param versionTable the version table
   * @return the SQL
   */
  default String recordVersionSql(String versionTable) {
    return "INSERT INTO " + versionTable + " (component, version, description) VALUES (?, ?, ?)";
  }

  /**
   * The columns every entry query returns, in this order.
   *
   * @return a comma-separated column list
   */
  default String entryColumns() {
    return "seq, id, topic, tag, msg_keys, properties, message_group, delivery_time, transactional,"
        + " body, body_bytes, stored_at, attempts, last_error, state";
  }

  /**
   * Inserts one entry; parameters id, topic, tag, msg_keys, properties, message_group,
   * delivery_time, transactional, body, body_bytes, stored_at, state. The generated {@code seq} is
   * read back through {@code getGeneratedKeys}.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String insertSql(String table) {
    return "INSERT INTO "
        + table
        + " (id, topic, tag, msg_keys, properties, message_group, delivery_time, transactional,"
        + " body, body_bytes, stored_at, attempts, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        + " 0, ?)";
  }

  /**
   * The oldest claimable entries: PENDING, lease free or expired, and for a message group no
   * earlier entry of the same (topic, group) parked or leased by another owner. A plain read, never
   * a locking one (see the class comment). Parameters: now, now, owner, max.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String claimCandidatesSql(String table) {
    return "SELECT "
        + entryColumns()
        + " FROM "
        + table
        + " e"
        + claimScanHint()
        + " WHERE e.state = '"
        + PENDING
        + "' AND (e.lease_until IS NULL OR e.lease_until <= ?) AND (e.message_group IS NULL OR NOT"
        + " EXISTS (SELECT 1 FROM "
        + table
        + " b WHERE b.topic = e.topic AND b.message_group = e.message_group AND b.seq < e.seq AND"
        + " (b.state = '"
        + PARKED
        + "' OR (b.lease_until > ? AND b.lease_owner <> ?)))) ORDER BY e.seq LIMIT ?";
  }

  /**
   * The statement a claim runs first, in its transaction, to serialise claims across instances
   * sharing the database (a row lock of {@link #lockTable}). With it, a claim that starts after
   * another one committed sees that claim's leases, so a message group's head and its later entries
   * are never split between two owners. Empty (the default) where one process owns the store and
   * its claims are serialised in memory.
   *
   * @param table the entries table
   * @return the lock statement, or empty
   */
  default Optional<String> claimLockSql(String table) {
    return Optional.empty();
  }

  /**
   * The claim lock table of an entries table.
   *
   * @param table the entries table
   * @return {@code <table>_lock}
   */
  static String lockTable(String table) {
    return table + "_lock";
  }

  /**
   * The claim lock of the server dialects: the one {@link #CLAIM_LOCK} row of the lock table,
   * locked {@code FOR UPDATE}, which serialises claims across instances.
   *
   * @param table the entries table
   * @return the statement
   */
  static String claimLockRowSql(String table) {
    return "SELECT name FROM " + lockTable(table) + " WHERE name = '" + CLAIM_LOCK + "' FOR UPDATE";
  }

  /**
   * A table hint for the claim's scan of the entries table, placed right after its alias. Empty by
   * default.
   *
   * @return the hint, with a leading space, or empty
   */
  default String claimScanHint() {
    return "";
  }

  /**
   * Leases one entry if its lease is still free; parameters owner, lease until, seq, now. An update
   * count of 0 means someone else got it.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String claimSql(String table) {
    return "UPDATE "
        + table
        + " SET lease_owner = ?, lease_until = ? WHERE seq = ? AND state = '"
        + PENDING
        + "' AND (lease_until IS NULL OR lease_until <= ?)";
  }

  /**
   * Reads what the store's counters need of one entry before deleting it; parameter id. Returns
   * body_bytes, topic, message_group.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String selectForDeleteSql(String table) {
    return "SELECT body_bytes, topic, message_group FROM " + table + " WHERE id = ?";
  }

  /**
   * Deletes one entry; parameter id.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String deleteSql(String table) {
    return "DELETE FROM " + table + " WHERE id = ?";
  }

  /**
   * Counts a failed attempt, records the error and releases the lease; parameters last_error, id.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String recordFailureSql(String table) {
    return "UPDATE "
        + table
        + " SET attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_until = NULL"
        + " WHERE id = ?";
  }

  /**
   * Releases one entry's lease, if this owner still holds it, without counting an attempt or
   * touching last_error; parameters id, owner. The store runs it as a JDBC batch, one transaction
   * for all the entries a replay round never tried.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String releaseSql(String table) {
    return "UPDATE "
        + table
        + " SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?";
  }

  /**
   * Releases every lease an owner holds; parameter owner. Run when a replayer with a stable owner
   * id starts: nothing of that owner can be in flight any more, its previous process is gone.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String releaseOwnerSql(String table) {
    return "UPDATE " + table + " SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?";
  }

  /**
   * Releases every lease; no parameters. Run only when a store only one process can open (an
   * embedded H2 file, held under its file lock) is opened: every lease in it belongs to a process
   * that is gone.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String releaseAllLeasesSql(String table) {
    return "UPDATE "
        + table
        + " SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL";
  }

  /**
   * Parks an entry (counting the failed attempt) and releases its lease; parameters last_error, id.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String parkSql(String table) {
    return "UPDATE "
        + table
        + " SET state = '"
        + PARKED
        + "', attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_until = NULL"
        + " WHERE id = ?";
  }

  /**
   * Returns a parked entry to PENDING, keeping its attempts and last error; parameter id.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String unparkSql(String table) {
    return "UPDATE "
        + table
        + " SET state = '"
        + PENDING
        + "', lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = '"
        + PARKED
        + "'";
  }

  /**
   * The blocked message groups: for each (topic, group) with a parked entry, its earliest parked
   * entry and how many entries of the group were stored after it, in the order of those parked
   * entries. Returns topic, message_group, id, last_error, the count. Parameter: limit.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String blockedGroupsSql(String table) {
    return "SELECT p.topic, p.message_group, p.id, p.last_error, (SELECT COUNT(*) FROM "
        + table
        + " w WHERE w.topic = p.topic AND w.message_group = p.message_group AND w.seq > p.seq)"
        + " FROM "
        + table
        + " p WHERE p.state = '"
        + PARKED
        + "' AND p.message_group IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        + table
        + " q WHERE q.topic = p.topic AND q.message_group = p.message_group AND q.state = '"
        + PARKED
        + "' AND q.seq < p.seq) ORDER BY p.seq LIMIT ?";
  }

  /**
   * Counts the message groups that hold a parked entry.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String countBlockedGroupsSql(String table) {
    return "SELECT COUNT(*) FROM (SELECT DISTINCT topic, message_group FROM "
        + table
        + " WHERE state = '"
        + PARKED
        + "' AND message_group IS NOT NULL) blocked";
  }

  /**
   * Counts all entries.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String countSql(String table) {
    return "SELECT COUNT(*) FROM " + table;
  }

  /**
   * Counts entries in one state; parameter state.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String countByStateSql(String table) {
    return "SELECT COUNT(*) FROM " + table + " WHERE state = ?";
  }

  /**
   * The oldest stored-at time (epoch ms), NULL when empty.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String oldestStoredAtSql(String table) {
    return "SELECT MIN(stored_at) FROM " + table;
  }

  /**
   * A page of entries in append order; parameters limit, offset.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String listSql(String table) {
    return "SELECT " + entryColumns() + " FROM " + table + " ORDER BY seq LIMIT ? OFFSET ?";
  }

  /**
   * One entry by id; parameter id.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String findSql(String table) {
    return "SELECT " + entryColumns() + " FROM " + table + " WHERE id = ?";
  }

  /**
   * Rows and body bytes held, to initialise the capacity counters at open.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String totalsSql(String table) {
    return "SELECT COUNT(*), COALESCE(SUM(body_bytes), 0) FROM " + table;
  }

  /**
   * Entries per (topic, message group), to initialise the group fences at open.
   *
   * @param table the entries table
   * @return the SQL
   */
  default String groupCountsSql(String table) {
    return "SELECT topic, message_group, COUNT(*) FROM "
        + table
        + " WHERE message_group IS NOT NULL GROUP BY topic, message_group";
  }
}
