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

  /**
   * The message groups a parked entry blocks, oldest parked entry first. Later entries of such a
   * group are never replayed past the parked one (that would break the group's order), so the group
   * waits, and new sends of it keep returning STORED, until the operator {@link #unpark unparks}
   * the entry once its cause is fixed or {@link #delete deletes} it.
   *
   * @param limit most groups to return
   * @return the blocked groups
   */
  List<BlockedGroup> blockedGroups(int limit);

  /**
   * How many message groups a parked entry blocks.
   *
   * @return the count
   */
  long countBlockedGroups();

  /** Wakes the replayer now instead of at its next poll or backoff. */
  void replayNow();

  /**
   * Returns a parked entry to PENDING and wakes the replayer: it is sent again, first of its group.
   *
   * @param id the {@code reliablemq_id}
   * @return true when an entry was unparked
   */
  boolean unpark(String id);

  /**
   * Deletes one entry: it will never be delivered. For operators only. Deleting a group's parked
   * entry unblocks the group; its later entries are then replayed in order.
   *
   * @param id the {@code reliablemq_id}
   * @return true when an entry was deleted
   */
  boolean delete(String id);
}
