package io.reliablemq.fallback;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Operations on a producer's fallback store and its replayer, for operators (Actuator endpoint,
 * command-line tool) and health checks.
 */
public interface FallbackOperations {
  /**
   * Entries held, pending and parked.
   *
   * @return the count
   */
  long count();

  /**
   * Entries held in one state.
   *
   * @param state PENDING or PARKED
   * @return the count
   */
  long count(EntryState state);

  /**
   * Age of the oldest entry.
   *
   * @return the age, empty when the store is empty
   */
  Optional<Duration> oldestAge();

  /**
   * A page of entries, oldest first, without bodies or property values.
   *
   * @param offset entries to skip
   * @param limit most entries to return
   * @return the summaries
   */
  List<EntrySummary> list(long offset, int limit);

  /** Wakes the replayer now instead of at its next poll or backoff. */
  void replayNow();

  /**
   * Returns a parked entry to PENDING and wakes the replayer.
   *
   * @param id the {@code reliablemq_id}
   * @return true when an entry was unparked
   */
  boolean unpark(String id);

  /**
   * Deletes one entry: it will never be delivered. For operators only.
   *
   * @param id the {@code reliablemq_id}
   * @return true when an entry was deleted
   */
  boolean delete(String id);
}
