package io.reliablemq.transaction;

import java.sql.Connection;

/**
 * The business's part of a transactional send: runs inside the local database transaction, which
 * the SDK commits when this returns and rolls back when it throws.
 *
 * @param <T> what it returns to the caller of {@link TransactionalSender#send}
 */
@FunctionalInterface
public interface LocalTransaction<T> {
  /**
   * Does the business work.
   *
   * @param connection the connection of the local transaction; do not commit, roll back or close it
   *     (with Spring's transaction manager it is the transaction-bound connection)
   * @return the result
   * @throws Exception to roll back the local transaction and the message
   */
  T execute(Connection connection) throws Exception;
}
