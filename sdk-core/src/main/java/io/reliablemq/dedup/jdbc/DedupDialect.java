package io.reliablemq.dedup.jdbc;

import io.reliablemq.jdbc.DatabaseKind;
import io.reliablemq.jdbc.Migration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link JdbcDedupStore} needs to know about one database: the DDL of its numbered migrations
 * and the SQL of each transition. The defaults are standard SQL accepted by H2, PostgreSQL and
 * MySQL 8; a dialect usually overrides only {@link #migrations}. Table names handed in are
 * validated ({@code ^[A-Za-z][A-Za-z0-9_]{0,62}$}); every value is a {@code ?} bound through a
 * {@code PreparedStatement}.
 *
 * <p>Every transition is one conditional statement in auto-commit mode (or in the caller's
 * transaction for the transactional mark), so two instances sharing the database race safely
 * without {@code SELECT ... FOR UPDATE}: a takeover only succeeds while the row still holds the
 * (owner, lease) it read. Times are epoch milliseconds in {@code BIGINT}.
 */
public interface DedupDialect {
  /**
   * The dedup store's dialect for a database.
   *
   * @param kind the database, for example from {@link DatabaseKind#detect}
   * @return the dialect
   */
  static DedupDialect of(DatabaseKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case H2 -> H2DedupDialect.INSTANCE;
      case POSTGRESQL -> PostgresDedupDialect.INSTANCE;
      case MARIADB -> MariaDbDedupDialect.INSTANCE;
    };
  }

  /** The state column value of a claimed key. */
  String PROCESSING = "PROCESSING";

  /** The state column value of a consumed key. */
  String CONSUMED = "CONSUMED";

  /**
   * A short name for logs, e.g. {@code h2}.
   *
   * @return the name
   */
  String name();

  /**
   * The numbered migrations of the dedup table, oldest first, versions 1, 2, ... without gaps.
   *
   * @param table the validated dedup table name
   * @return the migrations
   */
  List<Migration> migrations(String table);

  /**
   * The {@code CREATE TABLE IF NOT EXISTS} of the version table shared with the fallback store.
   *
   * @param versionTable the validated name
   * @return the DDL
   */
  default String createVersionTableSql(String versionTable) {
    return "CREATE TABLE IF NOT EXISTS "
        + versionTable
        + " (component VARCHAR(64) NOT NULL, version INT NOT NULL,"
        + " description VARCHAR(255) NOT NULL, PRIMARY KEY (component, version))";
  }

  /**
   * Highest applied version of a component; parameter component.
   *
   * @param versionTable the version table
   * @return the SQL
   */
  default String currentVersionSql(String versionTable) {
    return "SELECT MAX(version) FROM " + versionTable + " WHERE component = ?";
  }

  /**
   * Records a migration; parameters component, version, description.
   *
   * @param versionTable the version table
   * @return the SQL
   */
  default String recordVersionSql(String versionTable) {
    return "INSERT INTO " + versionTable + " (component, version, description) VALUES (?, ?, ?)";
  }

  /**
   * Reads one record; parameters scope, key. Columns state, owner, lease_until, expires_at.
   *
   * @param table the dedup table
   * @return the SQL
   */
  default String selectSql(String table) {
    return "SELECT state, owner, lease_until, expires_at FROM "
        + table
        + " WHERE scope = ? AND dedup_key = ?";
  }

  /**
   * Inserts a record; parameters scope, key, state, owner, lease_until, expires_at, updated_at. A
   * unique-key violation means another caller inserted first.
   *
   * @param table the dedup table
   * @return the SQL
   */
  default String insertSql(String table) {
    return "INSERT INTO "
        + table
        + " (scope, dedup_key, state, owner, lease_until, expires_at, updated_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
  }

  /**
   * Moves a PROCESSING record from the (owner, lease) read to a new owner and lease; parameters new
   * owner, new lease_until, updated_at, scope, key, old owner, old lease_until.
   *
   * @param table the dedup table
   * @return the SQL
   */
  default String takeOverSql(String table) {
    return "UPDATE "
        + table
        + " SET owner = ?, lease_until = ?, updated_at = ? WHERE scope = ? AND dedup_key = ?"
        + " AND state = '"
        + PROCESSING
        + "' AND owner = ? AND lease_until = ?";
  }

  /**
   * Reclaims an expired CONSUMED record as PROCESSING; parameters owner, lease_until, updated_at,
   * scope, key, now.
   *
   * @param table the dedup table
   * @return the SQL
   */
  default String reclaimExpiredSql(String table) {
    return "UPDATE "
        + table
        + " SET state = '"
        + PROCESSING
        + "', owner = ?, lease_until = ?, expires_at = NULL, updated_at = ? WHERE scope = ?"
        + " AND dedup_key = ? AND state = '"
        + CONSUMED
        + "' AND expires_at <= ?";
  }

  /**
   * Extends a lease; parameters lease_until, updated_at, scope, key, owner.
   *
   * @param table the dedup table
   * @return the SQL
   */
  default String extendSql(String table) {
    return "UPDATE "
        + table
        + " SET lease_until = ?, updated_at = ? WHERE scope = ? AND dedup_key = ? AND state = '"
        + PROCESSING
        + "' AND owner = ?";
  }

  /**
   * Marks the owner's PROCESSING record CONSUMED; parameters expires_at, updated_at, scope, key,
   * owner.
   *
   * @param table the dedup table
   * @return the SQL
   */
  default String markConsumedSql(String table) {
    return "UPDATE "
        + table
        + " SET state = '"
        + CONSUMED
        + "', expires_at = ?, lease_until = NULL, updated_at = ? WHERE scope = ? AND dedup_key = ?"
        + " AND state = '"
        + PROCESSING
        + "' AND owner = ?";
  }

  /**
   * Deletes the owner's PROCESSING record; parameters scope, key, owner.
   *
   * @param table the dedup table
   * @return the SQL
   */
  default String releaseSql(String table) {
    return "DELETE FROM "
        + table
        + " WHERE scope = ? AND dedup_key = ? AND state = '"
        + PROCESSING
        + "' AND owner = ?";
  }

  /**
   * Deletes at most {@code limit} expired records of one state: CONSUMED records whose {@code
   * expires_at}, or PROCESSING records whose {@code lease_until}, is at or before the purge time.
   * Every {@code ?} of the statement is that time; the limit is written into the SQL (a validated
   * int). The store runs it until it deletes fewer than the limit. The default, {@code DELETE ...
   * LIMIT}, is what H2 and MariaDB/MySQL accept; PostgreSQL has no {@code DELETE ... LIMIT} and
   * overrides it.
   *
   * @param table the dedup table
   * @param state {@link #CONSUMED} or {@link #PROCESSING}
   * @param limit the most records to delete, at least 1
   * @return the SQL
   */
  default String purgeBatchSql(String table, String state, int limit) {
    return "DELETE FROM " + table + " WHERE " + expiredCondition(state) + " LIMIT " + limit;
  }

  /**
   * The condition of an expired record of a state, with one {@code ?} for the purge time.
   *
   * @param state {@link #CONSUMED} or {@link #PROCESSING}
   * @return the SQL condition
   */
  static String expiredCondition(String state) {
    if (CONSUMED.equals(state)) {
      return "state = '" + CONSUMED + "' AND expires_at <= ?";
    }
    if (PROCESSING.equals(state)) {
      return "state = '" + PROCESSING + "' AND lease_until <= ?";
    }
    throw new IllegalArgumentException("state must be CONSUMED or PROCESSING, was " + state);
  }
}
