package io.reliablemq.transaction.internal;

import io.reliablemq.ReliableMQException;
import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.internal.jdbc.SchemaMigrator;
import io.reliablemq.jdbc.SchemaManagement;
import io.reliablemq.transaction.TransactionLogDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The transaction log: one row per transactional message, keyed by {@code reliablemq_id}. The
 * template inserts COMMITTED rows through the caller's connection (inside the local transaction);
 * the check-back reads rows and inserts ROLLED_BACK markers through connections of its own.
 */
public final class JdbcTransactionLog {
  /** The component name of the log in the shared version table. */
  public static final String COMPONENT = "txlog";

  private final DataSource dataSource;
  private final TransactionLogDialect dialect;
  private final String table;

  /**
   * Opens the log, migrating or checking its schema.
   *
   * @param dataSource the business database
   * @param dialect its dialect
   * @param prefix the validated table prefix
   * @param schemaManagement AUTO to migrate, NONE to check only
   * @throws ReliableMQException when the schema cannot be used
   */
  public JdbcTransactionLog(
      DataSource dataSource,
      TransactionLogDialect dialect,
      String prefix,
      SchemaManagement schemaManagement) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    this.table = table(prefix);
    SchemaMigrator migrator = migrator(dialect, prefix, "table " + table);
    try (Connection c = dataSource.getConnection()) {
      if (schemaManagement == SchemaManagement.AUTO) {
        migrator.migrate(c);
      } else {
        migrator.validate(c);
      }
    } catch (SQLException e) {
      throw new ReliableMQException("Cannot open transaction log " + table + ": " + describe(e), e);
    }
  }

  /**
   * The log table of a prefix.
   *
   * @param prefix the validated prefix
   * @return {@code <prefix>_tx_log}
   */
  public static String table(String prefix) {
    return prefix + "_tx_log";
  }

  /**
   * The log's schema as a script, for Flyway, Liquibase or a DBA.
   *
   * @param dialect the dialect
   * @param prefix the validated table prefix
   * @return the DDL
   */
  public static String ddl(TransactionLogDialect dialect, String prefix) {
    return migrator(dialect, prefix, "ddl")
        .ddl("ReliableMQ transaction log, " + dialect.name() + ", prefix " + prefix);
  }

  private static SchemaMigrator migrator(
      TransactionLogDialect dialect, String prefix, String location) {
    Dialect v = dialect.versionTableDialect();
    String vt = prefix + "_schema_version";
    return new SchemaMigrator(
        new SchemaMigrator.Spec(
            "Transaction log",
            location,
            COMPONENT,
            vt,
            v.createVersionTableSql(vt),
            v.currentVersionSql(vt),
            v.recordVersionSql(vt),
            dialect.migrations(table(prefix)),
            "JdbcTransactionLog.ddl",
            ReliableMQException::new));
  }

  /**
   * Inserts the COMMITTED row inside the caller's local transaction.
   *
   * @param c the local transaction's connection
   * @param id the logical id
   * @param topic the topic
   * @param type the business type
   * @param now the creation time
   * @throws SQLException on failure; a unique-key violation means a marker is there ({@link
   *     #isDuplicateKey})
   */
  public void insertCommitted(Connection c, String id, String topic, String type, Instant now)
      throws SQLException {
    insert(c, id, TransactionLogDialect.COMMITTED, topic, type, now);
  }

  /**
   * Inserts a ROLLED_BACK marker in a transaction of its own.
   *
   * @param id the logical id
   * @param topic the topic
   * @param type the business type
   * @param now the creation time
   * @return true when inserted, false when a row with the id exists already
   * @throws SQLException on any other failure (e.g. a lock wait on an uncommitted row timed out)
   */
  public boolean insertRolledBack(String id, String topic, String type, Instant now)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      insert(c, id, TransactionLogDialect.ROLLED_BACK, topic, type, now);
      return true;
    } catch (SQLException e) {
      if (isDuplicateKey(e)) {
        return false;
      }
      throw e;
    }
  }

  private void insert(
      Connection c, String id, String status, String topic, String type, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.insertSql(table))) {
      ps.setString(1, id);
      ps.setString(2, status);
      ps.setString(3, topic);
      ps.setString(4, type);
      ps.setLong(5, now.toEpochMilli());
      ps.executeUpdate();
    }
  }

  /**
   * The status of a row.
   *
   * @param id the logical id
   * @return COMMITTED or ROLLED_BACK, empty when there is no committed row
   * @throws SQLException when the database cannot be read
   */
  public Optional<String> find(String id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(dialect.findSql(table))) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /**
   * Deletes rows created before a time.
   *
   * @param before the bound
   * @return rows deleted
   * @throws SQLException on failure
   */
  public int purgeBefore(Instant before) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement(dialect.purgeSql(table))) {
        ps.setLong(1, before.toEpochMilli());
        return ps.executeUpdate();
      }
    }
  }

  /**
   * The table name.
   *
   * @return the table
   */
  public String table() {
    return table;
  }

  /**
   * Whether an error is a unique-key violation (SQLSTATE class 23, integrity constraint), on any
   * database, also when wrapped.
   *
   * @param e the error
   * @return true for a duplicate key
   */
  public static boolean isDuplicateKey(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if (state != null && state.startsWith("23")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String describe(SQLException e) {
    return "SQL error " + e.getErrorCode() + "/" + e.getSQLState() + ": " + e.getMessage();
  }
}
