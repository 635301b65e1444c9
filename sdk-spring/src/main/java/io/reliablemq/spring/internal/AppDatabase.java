package io.reliablemq.spring.internal;

import io.reliablemq.dedup.jdbc.DedupDialect;
import io.reliablemq.dedup.jdbc.H2DedupDialect;
import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.fallback.jdbc.H2Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The SQL dialects of the application's own database (for the dedup table of {@code
 * transactionalDedup} listeners and the transactional outbox): the one place they are chosen, so
 * that more databases are added here and nowhere else.
 */
public final class AppDatabase {
  private AppDatabase() {}

  /**
   * The dedup dialect of a database.
   *
   * @param dataSource the application's database
   * @return the dialect
   * @throws IllegalStateException when the database cannot be reached or has no dialect
   */
  public static DedupDialect dedupDialect(DataSource dataSource) {
    product(dataSource, "dedup table");
    return H2DedupDialect.INSTANCE;
  }

  /**
   * The fallback-store (outbox) dialect of a database.
   *
   * @param dataSource the application's database
   * @return the dialect
   * @throws IllegalStateException when the database cannot be reached or has no dialect
   */
  public static Dialect fallbackDialect(DataSource dataSource) {
    product(dataSource, "outbox table");
    return H2Dialect.INSTANCE;
  }

  /** Checks the database is one with dialects; only H2 so far. */
  private static String product(DataSource dataSource, String purpose) {
    String product;
    try (Connection c = dataSource.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot reach the application's DataSource for the ReliableMQ " + purpose + ": " + e, e);
    }
    if (!"H2".equalsIgnoreCase(product)) {
      throw new IllegalStateException(
          "No ReliableMQ " + purpose + " dialect for database '" + product + "' (supported: H2)");
    }
    return product;
  }
}
