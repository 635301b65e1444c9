package io.reliablemq.fallback.jdbc;

import io.reliablemq.jdbc.Migration;
import java.util.List;
import java.util.Optional;

/**
 * MariaDB 10.6 or later (tested on 10.11) and MySQL 8.0.1 or later, InnoDB, for a fallback store
 * shared by several instances.
 *
 * <p>Claims read their candidates after taking the row lock of {@code <prefix>_fallback_lock},
 * exactly as {@link PostgresDialect} does, so a message group's entries are held by one instance at
 * a time. Tables are {@code utf8mb4} with the binary collation: ids, topics and groups compare byte
 * for byte, as on the broker, not case-insensitively. Bodies are {@code LONGBLOB}. DDL commits
 * implicitly on these servers, so a migration interrupted half-way is not rolled back; rerunning it
 * after fixing the cause needs the half-created objects dropped.
 */
public final class MariaDbDialect implements Dialect {
  /** The shared instance; the dialect is stateless. */
  public static final MariaDbDialect INSTANCE = new MariaDbDialect();

  /** Table options of every table the SDK creates on MariaDB/MySQL. */
  public static final String TABLE_OPTIONS =
      " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

  /** Creates the dialect; prefer {@link #INSTANCE}. */
  public MariaDbDialect() {}

  @Override
  public String name() {
    return "mariadb";
  }

  @Override
  public Optional<String> syncStatement() {
    return Optional.empty();
  }

  @Override
  public Optional<String> claimLockSql(String table) {
    return Optional.of(Dialect.claimLockRowSql(table));
  }

  @Override
  public String createVersionTableSql(String versionTable) {
    return Dialect.super.createVersionTableSql(versionTable) + TABLE_OPTIONS;
  }

  @Override
  public List<Migration> migrations(String prefix) {
    String t = JdbcFallbackStore.entriesTable(prefix);
    String lock = Dialect.lockTable(t);
    return List.of(
        new Migration(
            1,
            "create fallback entries and claim lock tables",
            List.of(
                "CREATE TABLE "
                    + t
                    + " (\n"
                    + "  seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
                    + "  id VARCHAR(255) NOT NULL,\n"
                    + "  topic VARCHAR(255) NOT NULL,\n"
                    + "  tag VARCHAR(1024),\n"
                    + "  msg_keys MEDIUMTEXT,\n"
                    + "  properties MEDIUMTEXT,\n"
                    + "  message_group VARCHAR(255),\n"
                    + "  delivery_time BIGINT,\n"
                    + "  transactional BOOLEAN NOT NULL,\n"
                    + "  body LONGBLOB NOT NULL,\n"
                    + "  body_bytes INT NOT NULL,\n"
                    + "  stored_at BIGINT NOT NULL,\n"
                    + "  attempts INT DEFAULT 0 NOT NULL,\n"
                    + "  last_error VARCHAR(4000),\n"
                    + "  state VARCHAR(16) NOT NULL,\n"
                    + "  lease_owner VARCHAR(255),\n"
                    + "  lease_until BIGINT,\n"
                    + "  CONSTRAINT "
                    + t
                    + "_id_uk UNIQUE (id),\n"
                    + "  INDEX "
                    + t
                    + "_state_idx (state, seq),\n"
                    + "  INDEX "
                    + t
                    + "_group_idx (topic, message_group, seq)\n"
                    + ")"
                    + TABLE_OPTIONS,
                "CREATE TABLE " + lock + " (name VARCHAR(64) NOT NULL PRIMARY KEY)" + TABLE_OPTIONS,
                "INSERT INTO " + lock + " (name) VALUES ('" + CLAIM_LOCK + "')")));
  }
}
