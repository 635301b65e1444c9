package io.reliablemq.consumer;

import java.util.concurrent.CompletionStage;

/**
 * Business code for one message that completes later. The message is acknowledged only when the
 * stage completes normally; a stage completing exceptionally (or the call throwing) fails the
 * delivery. The 5.2.0 client's listener is synchronous, so the consumption thread waits for the
 * stage: concurrency is still bounded by the consumption thread count.
 */
@FunctionalInterface
public interface AsyncMessageHandler {
  /**
   * Starts handling one message.
   *
   * @param message the message
   * @return completes when the effect is done
   */
  CompletionStage<Void> handle(ReceivedMessage message);
}
