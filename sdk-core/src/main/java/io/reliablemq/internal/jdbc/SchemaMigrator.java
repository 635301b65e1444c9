package io.reliablemq.internal.jdbc;

import io.reliablemq.jdbc.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs (or, when the schema is managed elsewhere, checks) one component's numbered migrations
 * against the version table that every SDK store shares, keyed by (component, version). One runner,
 * so the fallback store and the dedup store migrate, detect a newer schema and report a missing one
 * the same way.
 */
public final class SchemaMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  /**
   * What to migrate.
   *
   * @param label the store kind for messages, e.g. {@code "Fallback store"}
   * @param location where the store lives, for messages
   * @param component the component key in the version table
   * @param versionTable the validated version table name
   * @param createVersionTableSql {@code CREATE TABLE IF NOT EXISTS} of the version table
   * @param currentVersionSql highest version of a component; one parameter, the component
   * @param recordVersionSql records a migration; parameters component, version, description
   * @param migrations the component's migrations, oldest first
   * @param ddlHint how a user prints the DDL, e.g. {@code "JdbcFallbackStore.ddl"}
   * @param failure makes the store's own exception
   */
  public record Spec(
      String label,
      String location,
      String component,
      String versionTable,
      String createVersionTableSql,
      String currentVersionSql,
      String recordVersionSql,
      List<Migration> migrations,
      String ddlHint,
      StoreFailure failure) {
    /** Checks the fields and copies the migrations. */
    public Spec {
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(failure, "failure");
      migrations = List.copyOf(migrations);
    }
  }

  private final Spec spec;

  /**
   * Creates a runner.
   *
   * @param spec what to migrate
   */
  public SchemaMigrator(Spec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /**
   * Applies the missing migrations, each in its own transaction with its version row. Tolerates
   * another instance migrating the same database at the same moment.
   *
   * @param c a connection; left in auto-commit mode
   * @throws SQLException when a migration fails and the schema is not current afterwards
   */
  public void migrate(Connection c) throws SQLException {
    try {
      applyMigrations(c);
    } catch (SQLException e) {
      // Another instance may have migrated at the same moment: fine if the schema is now current.
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      if (currentVersion(c) != latestVersion()) {
        throw e;
      }
    }
  }

  /**
   * Checks, creating nothing, that the version table records exactly the latest version.
   *
   * @param c a connection
   * @throws RuntimeException from the spec's failure when the schema is missing, older or newer
   */
  public void validate(Connection c) {
    int current;
    try {
      current = currentVersion(c);
    } catch (SQLException e) {
      throw spec.failure()
          .create(
              spec.label()
                  + " "
                  + spec.location()
                  + ": schema management is NONE but the version table "
                  + spec.versionTable()
                  + " cannot be read; create the schema with "
                  + spec.ddlHint()
                  + "(...): "
                  + EmbeddedH2.describe(e),
              e);
    }
    checkNotNewer(current);
    if (current < latestVersion()) {
      throw spec.failure()
          .create(
              spec.label()
                  + " "
                  + spec.location()
                  + ": schema is at version "
                  + current
                  + ", this SDK needs "
                  + latestVersion()
                  + "; apply the missing migrations ("
                  + spec.ddlHint()
                  + " prints them)",
              null);
    }
  }

  /**
   * The whole schema of the component as a script: the version table, every migration in order, and
   * the version rows a store checks at open.
   *
   * @param title the first comment line
   * @return the DDL, each statement ending in {@code ;}
   */
  public String ddl(String title) {
    StringBuilder sb = new StringBuilder();
    sb.append("-- ").append(title).append('\n');
    sb.append(spec.createVersionTableSql()).append(";\n");
    for (Migration m : spec.migrations()) {
      sb.append("\n-- V").append(m.version()).append(": ").append(m.description()).append('\n');
      for (String s : m.statements()) {
        sb.append(s).append(";\n");
      }
      sb.append("INSERT INTO ")
          .append(spec.versionTable())
          .append(" (component, version, description) VALUES ('")
          .append(spec.component())
          .append("', ")
          .append(m.version())
          .append(", '")
          .append(m.description().replace("'", "''"))
          .append("');\n");
    }
    return sb.toString();
  }

  private void applyMigrations(Connection c) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute(spec.createVersionTableSql());
    }
    int current = currentVersion(c);
    checkNotNewer(current);
    for (Migration m : spec.migrations()) {
      if (m.version() <= current) {
        continue;
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String sql : m.statements()) {
          s.execute(sql);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(spec.recordVersionSql())) {
        ps.setString(1, spec.component());
        ps.setInt(2, m.version());
        ps.setString(3, m.description());
        ps.executeUpdate();
      }
      c.commit();
      c.setAutoCommit(true);
      LOG.info(
          "{} {}: applied migration V{} ({})",
          spec.label(),
          spec.location(),
          m.version(),
          m.description());
    }
  }

  private void checkNotNewer(int current) {
    if (current > latestVersion()) {
      throw spec.failure()
          .create(
              spec.label()
                  + " "
                  + spec.location()
                  + ": schema version "
                  + current
                  + " is newer than this SDK knows ("
                  + latestVersion()
                  + "); upgrade the SDK",
              null);
    }
  }

  private int currentVersion(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(spec.currentVersionSql())) {
      ps.setString(1, spec.component());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  private int latestVersion() {
    List<Migration> all = spec.migrations();
    return all.isEmpty() ? 0 : all.get(all.size() - 1).version();
  }
}
