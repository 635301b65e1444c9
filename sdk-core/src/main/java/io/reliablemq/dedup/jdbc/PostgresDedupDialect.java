package io.reliablemq.dedup.jdbc;

import io.reliablemq.jdbc.Migration;
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
   * The batch picked once, in a materialized CTE with {@code FOR UPDATE SKIP LOCKED}, then deleted
   * by primary key with the expiry condition repeated: instances purging at the same time take
   * different rows instead of queueing on each other's, a row a claim or a lease renewal is
   * changing is left for the next purge, and the limit holds. (A {@code LIMIT ... FOR UPDATE SKIP
   * LOCKED} subquery under {@code IN} is not: PostgreSQL may run it again for each row, skipping
   * the rows it already deleted, and so deleted five records with a limit of two in the test.)
   */
  @Override
  public String purgeBatchSql(String table, String state, int limit) {
    return "WITH batch AS MATERIALIZED (SELECT scope, dedup_key FROM "
        + table
        + " WHERE "
        + DedupDialect.expiredCondition(state)
        + " LIMIT "
        + limit
        + " FOR UPDATE SKIP LOCKED) DELETE FROM "
        + table
        + " USING batch WHERE "
        + table
        + ".scope = batch.scope AND "
        + table
        + ".dedup_key = batch.dedup_key AND "
        + DedupDialect.expiredCondition(state);
  }

  @Override
  public List<Migration> migrations(String table) {
    // Same columns as H2: the H2 DDL is standard SQL that PostgreSQL accepts unchanged.
    return H2DedupDialect.INSTANCE.migrations(table);
  }
}
