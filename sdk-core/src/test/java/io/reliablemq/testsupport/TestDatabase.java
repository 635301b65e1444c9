package io.reliablemq.testsupport;

import io.reliablemq.jdbc.DatabaseKind;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real database server for the shared-store tests: PostgreSQL or MariaDB, reached with settings
 * from system properties or environment variables, defaulting to the project machines' services.
 *
 * <p>{@link #requireReachable()} skips the calling test (JUnit assumption) when the server cannot
 * be reached, with a message saying how to run it; when {@code RELIABLEMQ_REQUIRE_DATABASES=true}
 * (env or system property {@code reliablemq.requireDatabases}), as in CI, it fails instead. Each
 * test takes its own {@link #newPrefix() table prefix} and {@link #dropTables drops} its tables, so
 * parallel runs on one server do not collide.
 *
 * <table>
 *   <caption>Settings (system property, else environment variable, else default)</caption>
 *   <tr><th>PostgreSQL</th><th>MariaDB</th></tr>
 *   <tr><td>{@code reliablemq.postgres.url} / {@code RELIABLEMQ_POSTGRES_URL},
 *       {@code jdbc:postgresql://127.0.0.1:5432/test}</td>
 *       <td>{@code reliablemq.mariadb.url} / {@code RELIABLEMQ_MARIADB_URL},
 *       {@code jdbc:mariadb://127.0.0.1:3306/test}</td></tr>
 *   <tr><td>{@code ..._USER}, {@code postgres}; {@code ..._PASSWORD}, empty</td>
 *       <td>{@code ..._USER}, {@code root}; {@code ..._PASSWORD}, empty</td></tr>
 * </table>
 */
public enum TestDatabase {
  /** PostgreSQL. */
  POSTGRESQL("postgres", "PostgreSQL", "jdbc:postgresql://127.0.0.1:5432/test", "postgres"),
  /** MariaDB (or MySQL 8). */
  MARIADB("mariadb", "MariaDB", "jdbc:mariadb://127.0.0.1:3306/test", "root");

  /** The switch that turns a skip into a failure. */
  public static final String REQUIRE_ENV = "RELIABLEMQ_REQUIRE_DATABASES";

  private static final Map<TestDatabase, String> UNREACHABLE = new ConcurrentHashMap<>();
  private static final Map<TestDatabase, Boolean> CHECKED = new ConcurrentHashMap<>();

  private final String key;
  private final String label;
  private final String defaultUrl;
  private final String defaultUser;

  TestDatabase(String key, String label, String defaultUrl, String defaultUser) {
    this.key = key;
    this.label = label;
    this.defaultUrl = defaultUrl;
    this.defaultUser = defaultUser;
  }

  /**
   * The JDBC URL.
   *
   * @return the URL
   */
  public String url() {
    return setting("url", defaultUrl);
  }

  /**
   * The user.
   *
   * @return the user
   */
  public String user() {
    return setting("user", defaultUser);
  }

  private String password() {
    return setting("password", "");
  }

  /**
   * The store dialects of this database.
   *
   * @return the kind
   */
  public DatabaseKind kind() {
    return this == POSTGRESQL ? DatabaseKind.POSTGRESQL : DatabaseKind.MARIADB;
  }

  /**
   * A new plain (unpooled) data source: every {@code getConnection} opens a connection, as a pool
   * handing out distinct connections would.
   *
   * @return the data source
   */
  public DataSource dataSource() {
    try {
      if (this == POSTGRESQL) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url());
        ds.setUser(user());
        ds.setPassword(password());
        ds.setConnectTimeout(5);
        ds.setLoginTimeout(5);
        return ds;
      }
      MariaDbDataSource ds = new MariaDbDataSource(url());
      ds.setUser(user());
      ds.setPassword(password());
      ds.setLoginTimeout(5);
      return ds;
    } catch (SQLException e) {
      throw new IllegalStateException("bad " + label + " settings: " + e.getMessage(), e);
    }
  }

  /**
   * Skips the calling test when the server cannot be reached, or fails it when databases are
   * required. The connection attempt is made once per JVM.
   */
  public void requireReachable() {
    CHECKED.computeIfAbsent(this, k -> probe());
    String why = UNREACHABLE.get(this);
    if (why == null) {
      return;
    }
    if (required()) {
      throw new AssertionError(
          label
              + " is required ("
              + REQUIRE_ENV
              + "=true) but cannot be reached at "
              + url()
              + " as "
              + user()
              + ": "
              + why);
    }
    Assumptions.abort(
        label
            + " not reachable at "
            + url()
            + " as "
            + user()
            + " ("
            + why
            + "); skipped. To run: start it, or point the tests at one with -Dreliablemq."
            + key
            + ".url/.user/.password or RELIABLEMQ_"
            + key.toUpperCase(Locale.ROOT)
            + "_URL/_USER/_PASSWORD; "
            + REQUIRE_ENV
            + "=true makes this a failure.");
  }

  private boolean probe() {
    try (Connection c = dataSource().getConnection()) {
      c.isValid(5);
    } catch (SQLException | RuntimeException e) {
      UNREACHABLE.put(this, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return true;
  }

  /**
   * Whether the environment demands real databases.
   *
   * @return true when a missing server must fail the tests
   */
  public static boolean required() {
    String v = System.getProperty("reliablemq.requireDatabases", System.getenv(REQUIRE_ENV));
    return "true".equalsIgnoreCase(v);
  }

  /**
   * A table prefix unique to this run and call: {@code rt} and 12 random hex digits.
   *
   * @return the prefix
   */
  public static String newPrefix() {
    return String.format(Locale.ROOT, "rt%012x", ThreadLocalRandom.current().nextLong(1L << 48));
  }

  /**
   * Drops every table whose name starts with {@code prefix + "_"}.
   *
   * @param prefix a prefix from {@link #newPrefix()}
   */
  public void dropTables(String prefix) {
    if (!prefix.matches("^rt[0-9a-f]{12}$")) {
      throw new IllegalArgumentException("not a test prefix: " + prefix);
    }
    try (Connection c = dataSource().getConnection()) {
      List<String> tables = new ArrayList<>();
      DatabaseMetaData md = c.getMetaData();
      String schema = this == POSTGRESQL ? c.getSchema() : null;
      String catalog = this == MARIADB ? c.getCatalog() : null;
      try (ResultSet rs = md.getTables(catalog, schema, prefix + "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          String name = rs.getString("TABLE_NAME");
          if (name.toLowerCase(Locale.ROOT).startsWith(prefix + "_")) {
            tables.add(name);
          }
        }
      }
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        for (String t : tables) {
          s.execute("DROP TABLE " + t);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test tables " + prefix + "_*", e);
    }
  }

  private String setting(String name, String dflt) {
    String v = System.getProperty("reliablemq." + key + "." + name);
    if (v == null) {
      v = System.getenv("RELIABLEMQ_" + key.toUpperCase(Locale.ROOT) + "_" + name.toUpperCase());
    }
    return v == null ? dflt : v;
  }
}
