package io.reliablemq.dedup.jdbc;

import io.reliablemq.fallback.jdbc.MariaDbDialect;
import io.reliablemq.jdbc.Migration;
import java.util.List;

/**
 * MariaDB 10.6 or later (tested on 10.11) and MySQL 8, InnoDB, for one dedup truth shared by every
 * consumer instance. The table uses the binary {@code utf8mb4} collation, so keys that differ only
 * in case or trailing spaces stay distinct keys, as they are on the broker.
 */
public final class MariaDbDedupDialect implements DedupDialect {
  /** The shared instance; the dialect is stateless. */
  public static final MariaDbDedupDialect INSTANCE = new MariaDbDedupDialect();

  /** Creates the dialect; prefer {@link #INSTANCE}. */
  public MariaDbDedupDialect() {}

  @Override
  public String name() {
    return "mariadb";
  }

  @Override
  public String createVersionTableSql(String versionTable) {
    return MariaDbDialect.INSTANCE.createVersionTableSql(versionTable);
  }

  @Override
  public List<Migration> migrations(String table) {
    return List.of(
        new Migration(
            1,
            "create dedup table",
            List.of(
                "CREATE TABLE "
                    + table
                    + " (\n"
                    + "  scope VARCHAR(255) NOT NULL,\n"
                    + "  dedup_key VARCHAR(255) NOT NULL,\n"
                    + "  state VARCHAR(16) NOT NULL,\n"
                    + "  owner VARCHAR(255) NOT NULL,\n"
                    + "  lease_until BIGINT,\n"
                    + "  expires_at BIGINT,\n"
                    + "  updated_at BIGINT NOT NULL,\n"
                    + "  PRIMARY KEY (scope, dedup_key),\n"
                    + "  INDEX "
                    + table
                    + "_expiry_idx (state, expires_at)\n"
                    + ")"
                    + MariaDbDialect.TABLE_OPTIONS)));
  }
}
