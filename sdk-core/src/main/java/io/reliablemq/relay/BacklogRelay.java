package io.reliablemq.relay;

import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.relay.internal.BacklogRelayImpl;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Re-publishes the messages of a source topic to a target topic, for backlog relief: a consumer
 * group cannot use more consumers than its topic has queues, so an operator creates a wider topic,
 * relays the backlog there and points more consumers at it.
 *
 * <p>Each copy keeps the body, tag, keys, user properties, {@code reliablemq_id} (a message sent
 * without one gets its source message id, which is stable across redeliveries), message group and
 * absolute delivery time (one already past is delivered at once). The source message is
 * acknowledged only after {@link ReliableProducer#send} returned SENT or STORED for its copy; a
 * failed send leaves it unacknowledged, so the broker delivers it again. Messages of one message
 * group are relayed strictly in order, one in flight per group; after a failure the rest of that
 * group's batch is left for redelivery rather than overtaking it.
 *
 * <p>A crash of the relay loses nothing but may re-send copies that were already relayed; the
 * business consumers of the target topic must deduplicate (ReliableMQ's consumers do, by {@code
 * reliablemq_id}).
 */
public interface BacklogRelay extends AutoCloseable {

  /**
   * Starts relaying on a background thread.
   *
   * @param config what to relay and when to stop
   * @param producer the producer that sends the copies; the caller keeps owning and closing it
   * @return the running relay
   * @throws io.reliablemq.ReliableMQException when the source consumer cannot be started
   */
  static BacklogRelay start(RelayConfig config, ReliableProducer producer) {
    return BacklogRelayImpl.start(config, producer);
  }

  /**
   * A snapshot of the progress.
   *
   * @return relayed counts, rate and state
   */
  RelayProgress progress();

  /**
   * Completes with the final progress when the relay stopped, by a stop condition or {@link
   * #close()}, after in-flight copies finished or were left for redelivery.
   *
   * @return the completion
   */
  CompletableFuture<RelayProgress> completion();

  /**
   * Waits for the relay to stop by itself (idle or end time).
   *
   * @param timeout how long to wait
   * @return true when it stopped within the timeout
   * @throws InterruptedException when interrupted
   */
  boolean awaitStop(Duration timeout) throws InterruptedException;

  /**
   * Stops receiving, lets in-flight copies finish within {@link RelayConfig#closeTimeout()} and
   * acknowledges them, and closes the source consumer. A copy still in flight after that is left
   * unacknowledged, so the broker delivers its source message again: nothing is half-relayed. The
   * producer is not closed.
   */
  @Override
  void close();
}
