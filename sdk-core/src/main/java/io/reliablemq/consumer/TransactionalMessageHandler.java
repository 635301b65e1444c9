package io.reliablemq.consumer;

import java.sql.Connection;

/**
 * Business code whose effect is written to the same database as the dedup record, inside one
 * transaction the consumer opens: the consumer calls the handler with a connection whose
 * auto-commit is off, then writes the CONSUMED mark through the same connection and commits both. A
 * crash anywhere before the commit leaves neither the effect nor the mark; after it, both.
 *
 * <p>The handler must not commit, roll back or close the connection, and must write its effect only
 * through it.
 */
@FunctionalInterface
public interface TransactionalMessageHandler {
  /**
   * Handles one message inside the open transaction.
   *
   * @param message the message
   * @param connection the transaction's connection (auto-commit off)
   * @throws Exception to roll back and fail the delivery
   */
  void handle(ReceivedMessage message, Connection connection) throws Exception;
}
