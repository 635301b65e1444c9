package io.reliablemq.fallback;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable local store of messages the broker could not take. Implementations must make {@link
 * #append} durable before it returns (per their durability mode), group-commit concurrent appends,
 * and never drop an entry except through {@link #delete} after the broker acknowledged it or an
 * operator asked.
 *
 * <p>Several replayers (or instances sharing one database) may claim entries concurrently: {@link
 * #claim} hands out the oldest pending entries under a lease, never the same entry to two owners
 * while the lease lives, and never a later entry of a message group before an earlier one.
 */
public interface FallbackStore extends AutoCloseable {

  /**
   * Appends a message durably. Returns only once committed.
   *
   * @param message the validated message, {@code reliablemq_id} set
   * @param transactional whether it must be replayed as a transactional message
   * @return the stored entry
   * @throws FallbackStoreFullException when the row or byte capacity would be exceeded
   * @throws FallbackStoreException when the store cannot commit
   */
  StoredEntry append(io.reliablemq.message.ReliableMessage message, boolean transactional);

  /**
   * Reserves room for one entry of {@code bodyBytes} against the row and byte capacity, before any
   * I/O; reserved room counts as held for every later {@link #reserve} and {@link #append} until
   * the reservation is consumed or released. Stores that do not reserve return {@link
   * CapacityReservation#NONE} (the default) and check their capacity at append only.
   *
   * @param bodyBytes the body length of the message to be stored
   * @return the reservation, to hand to {@link #append(io.reliablemq.message.ReliableMessage,
   *     boolean, CapacityReservation)} or release
   * @throws FallbackStoreFullException when the room is not there
   * @throws FallbackStoreException when the store is closed
   */
  default CapacityReservation reserve(int bodyBytes) {
    return CapacityReservation.NONE;
  }

  /**
   * Appends a message durably into room reserved by {@link #reserve}: the reservation becomes the
   * entry's share of the capacity (given back by the store if the append fails), so the append
   * cannot be refused as full for room a later send took.
   *
   * @param message the validated message, {@code reliablemq_id} set
   * @param transactional whether it must be replayed as a transactional message
   * @param reservation a reservation of this store for this message, not yet consumed or released
   * @return the stored entry
   * @throws FallbackStoreFullException when the message is larger than the room reserved and the
   *     difference is not there
   * @throws FallbackStoreException when the store cannot commit
   */
  default StoredEntry append(
      io.reliablemq.message.ReliableMessage message,
      boolean transactional,
      CapacityReservation reservation) {
    reservation.release();
    return append(message, transactional);
  }

  /**
   * Whether any entry (pending or parked) of this topic's message group is held: while one is, new
   * messages of the group must be stored too, so nothing overtakes during replay.
   *
   * @param topic the topic
   * @param messageGroup the FIFO message group
   * @return true when the group is fenced
   */
  boolean holdsGroup(String topic, String messageGroup);

  /**
   * Claims up to {@code max} of the oldest PENDING entries for replay, under a lease. An entry with
   * a message group is claimed only when no earlier entry of its group is held by anyone else or
   * parked, so a group's entries are replayed in order by one owner. A parked entry therefore
   * blocks its group until an operator unparks or deletes it (see {@link #blockedGroups}).
   *
   * @param owner the claiming replayer
   * @param max most entries to return
   * @param lease how long the claim holds
   * @return the entries, oldest first
   */
  List<StoredEntry> claim(String owner, int max, Duration lease);

  /**
   * Removes an entry once the broker acknowledged it.
   *
   * @param id the {@code reliablemq_id}
   * @return true when an entry was removed
   */
  boolean delete(String id);

  /**
   * Removes several entries once the broker acknowledged them, in one transaction where the store
   * can: the replayer deletes a round's acknowledged entries together instead of one commit each.
   *
   * @param ids the {@code reliablemq_id}s
   * @return how many entries were removed
   */
  default int deleteAll(java.util.Collection<String> ids) {
    int removed = 0;
    for (String id : ids) {
      if (delete(id)) {
        removed++;
      }
    }
    return removed;
  }

  /**
   * Records a failed replay attempt and releases the claim, keeping the entry PENDING.
   *
   * @param id the {@code reliablemq_id}
   * @param error the error description (never the body)
   */
  void recordFailure(String id, String error);

  /**
   * Releases the leases of entries a replay round claimed but never tried (the round stopped
   * first), leaving their attempts and last error as they were: only an entry actually sent records
   * a failure, so an operator reads the error that entry really met. One transaction for all ids.
   * An entry whose lease has meanwhile passed to another owner keeps that lease.
   *
   * @param owner the replayer that claimed them
   * @param ids the {@code reliablemq_id}s
   * @return how many leases were released
   */
  int release(String owner, java.util.Collection<String> ids);

  /**
   * Releases every lease an owner holds, when a replayer with a stable owner id starts: its
   * previous process is gone, so its claims need not be waited out. Stores without leases return 0.
   *
   * @param owner the replayer's owner id
   * @return how many leases were released
   */
  default int releaseOwner(String owner) {
    return 0;
  }

  /**
   * Parks an entry after a non-retryable replay error.
   *
   * @param id the {@code reliablemq_id}
   * @param error the error description (never the body)
   */
  void park(String id, String error);

  /**
   * Returns a parked entry to PENDING.
   *
   * @param id the {@code reliablemq_id}
   * @return true when an entry was unparked
   */
  boolean unpark(String id);

  /**
   * The message groups blocked by a parked entry, in the order their parked entries were stored. A
   * parked entry of a group stops the whole group: later entries never pass it, since a FIFO group
   * promises its consumers the order it was sent in.
   *
   * @param limit most groups to return
   * @return the blocked groups, each with its earliest parked entry
   */
  List<BlockedGroup> blockedGroups(int limit);

  /**
   * How many message groups a parked entry blocks.
   *
   * @return the count
   */
  long countBlockedGroups();

  /**
   * Entries held, pending and parked.
   *
   * @return the count
   */
  long count();

  /**
   * Entries held in one state.
   *
   * @param state the state
   * @return the count
   */
  long count(EntryState state);

  /**
   * When the oldest entry was stored.
   *
   * @return the instant, empty when the store is empty
   */
  Optional<Instant> oldestStoredAt();

  /**
   * A page of entries, oldest first. Bodies are loaded; callers that show entries must not print
   * them.
   *
   * @param offset entries to skip
   * @param limit most entries to return
   * @return the page
   */
  List<StoredEntry> list(long offset, int limit);

  /**
   * One entry by id.
   *
   * @param id the {@code reliablemq_id}
   * @return the entry, if held
   */
  Optional<StoredEntry> find(String id);

  /** Closes the store; for an embedded H2 file this runs {@code SHUTDOWN}. */
  @Override
  void close();
}
