package io.reliablemq.producer;

import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.message.ReliableMessage;

/**
 * Callbacks on what a {@link ReliableProducer} did with each message, for an application's own
 * metrics, audit log or alerting; registered with {@link ReliableProducerConfig.Builder#listener}.
 * Every method does nothing by default, so a listener implements only what it needs.
 *
 * <p>Callbacks run on the thread that ended the send (the caller's, a client callback thread, the
 * store's append thread or the replayer's), synchronously and in registration order: keep them
 * quick and thread-safe, and hand slow work to an executor of your own. An exception a listener
 * throws is logged and swallowed: it never changes the outcome of a send or stops the other
 * listeners.
 */
public interface ReliableProducerListener {

  /**
   * The broker acknowledged a send ({@link SendStatus#SENT}).
   *
   * @param outcome the outcome the caller got
   */
  default void onSent(SendOutcome outcome) {}

  /**
   * A send was committed to the fallback store ({@link SendStatus#STORED}); the replayer sends it
   * later ({@link #onReplayed}).
   *
   * @param outcome the outcome the caller got
   */
  default void onStored(SendOutcome outcome) {}

  /**
   * A send ended with an exception for its caller: a {@link SendFailedException} (rejected, or
   * unreachable with no fallback store, or the caller was interrupted: AMBIGUOUS, after which the
   * send may still end SENT or STORED), or the fallback store's exception when storing it failed
   * (for example {@link io.reliablemq.fallback.FallbackStoreFullException}). A message refused by
   * validation before any I/O ({@link io.reliablemq.InvalidMessageException}) is not reported.
   *
   * @param message the message, with its logical id when one was assigned
   * @param error the exception the caller got
   */
  default void onFailed(ReliableMessage message, RuntimeException error) {}

  /**
   * The broker acknowledged a stored entry the replayer sent (the entry is deleted from the store
   * afterwards, in batches).
   *
   * @param entry the entry, carrying the message with its original logical id
   */
  default void onReplayed(StoredEntry entry) {}

  /**
   * The circuit in front of the broker changed state.
   *
   * @param from the state before
   * @param to the state now
   */
  default void onCircuitTransition(CircuitState from, CircuitState to) {}
}
