package io.reliablemq.consumer;

/**
 * Business code for one message, run synchronously on a consumption thread. Returning means
 * success: the message is acknowledged (and, with dedup, marked CONSUMED). Throwing means failure:
 * the message is redelivered later with the broker's backoff.
 */
@FunctionalInterface
public interface MessageHandler {
  /**
   * Handles one message.
   *
   * @param message the message
   * @throws Exception to fail the delivery
   */
  void handle(ReceivedMessage message) throws Exception;
}
