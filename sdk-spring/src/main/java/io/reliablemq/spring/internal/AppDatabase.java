package io.reliablemq.spring.internal;

import io.reliablemq.ReliableMQException;
import io.reliablemq.dedup.jdbc.DedupDialect;
import io.reliablemq.fallback.jdbc.Dialect;
import io.reliablemq.jdbc.DatabaseKind;
import io.reliablemq.transaction.TransactionLogDialect;
import javax.sql.DataSource;

/**
 * The SQL dialects of the application's own database (the dedup table of {@code transactionalDedup}
 * listeners, the transactional outbox and the transaction log): the one place the starter chooses
 * them, by asking the database what it is ({@link DatabaseKind#detect}), so that H2, PostgreSQL and
 * MariaDB/MySQL each get their own SQL.
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
    return DedupDialect.of(kind(dataSource, "dedup table"));
  }

  /**
   * The fallback-store (outbox) dialect of a database.
   *
   * @param dataSource the application's database
   * @return the dialect
   * @throws IllegalStateException when the database cannot be reached or has no dialect
   */
  public static Dialect fallbackDialect(DataSource dataSource) {
    return Dialect.of(kind(dataSource, "outbox table"));
  }

  /**
   * The transaction-log dialect of a database.
   *
   * @param dataSource the application's database
   * @return the dialect
   * @throws IllegalStateException when the database cannot be reached or has no dialect
   */
  public static TransactionLogDialect transactionLogDialect(DataSource dataSource) {
    return TransactionLogDialect.of(kind(dataSource, "transaction log"));
  }

  /**
   * The kind of a database, for one purpose named in the error.
   *
   * @param dataSource the application's database
   * @param purpose what the dialect is for, e.g. {@code dedup table}
   * @return the kind
   * @throws IllegalStateException when the database cannot be reached or has no dialect; the
   *     message names the purpose and the database product
   */
  public static DatabaseKind kind(DataSource dataSource, String purpose) {
    try {
      return DatabaseKind.detect(dataSource);
    } catch (ReliableMQException e) {
      // Startup failure: say which starter feature needed the database.
      throw new IllegalStateException("ReliableMQ " + purpose + ": " + e.getMessage(), e);
    }
  }
}
