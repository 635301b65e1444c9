package io.reliablemq.dedup.jdbc;

import io.reliablemq.fallback.jdbc.Migration;
import java.util.List;

/**
 * PostgreSQL 12 or later, for one dedup truth shared by every consumer instance. Each transition is
 * one conditional statement, so instances race on the primary key and the row's (owner, lease), no
 * table lock and no {@code SELECT ... FOR UPDATE}.
 */
public final class PostgresDedupDialect implements DedupDialect {
  /** The shared instance; the dialect is stateless. */
  public static final PostgresDedupDialect INSTANCE = new PostgresDedupDialect();

  /** Creates the dialect; prefer {@link #INSTANCE}. */
  public PostgresDedupDialect() {}

  @Override
  public String name() {
    return "postgresql";
  }

  /**
   * The default batch, with {@code FOR UPDATE SKIP LOCKED} in the subquery: instances purging at
   * the same time take different rows instead of queueing on each other's, and a row a claim or a
   * lease renewal is changing is left for the next purge.
   */
  @Override
  public String purgeBatchSql(String table, String state, int limit) {
    return "DELETE FROM "
        + table
        + " WHERE (scope, dedup_key) IN (SELECT scope, dedup_key FROM "
        + table
        + " WHERE "
        + DedupDialect.expiredCondition(state)
        + " LIMIT "
        + limit
        + " FOR UPDATE SKIP LOCKED) AND "
        + DedupDialect.expiredCondition(state);
  }

  @Override
  public List<Migration> migrations(String table) {
    // Same columns as H2: the H2 DDL is standard SQL that PostgreSQL accepts unchanged.
    return H2DedupDialect.INSTANCE.migrations(table);
  }
}
