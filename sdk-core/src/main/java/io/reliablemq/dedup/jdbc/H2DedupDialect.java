package io.reliablemq.dedup.jdbc;

import io.reliablemq.jdbc.Migration;
import java.util.List;

/** H2 2.x, the embedded default; its DDL is also valid PostgreSQL. */
public final class H2DedupDialect implements DedupDialect {
  /** The shared instance; the dialect is stateless. */
  public static final H2DedupDialect INSTANCE = new H2DedupDialect();

  /** Creates the dialect; prefer {@link #INSTANCE}. */
  public H2DedupDialect() {}

  @Override
  public String name() {
    return "h2";
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
                    + "  PRIMARY KEY (scope, dedup_key)\n"
                    + ")",
                "CREATE INDEX " + table + "_expiry_idx ON " + table + " (state, expires_at)")));
  }
}
