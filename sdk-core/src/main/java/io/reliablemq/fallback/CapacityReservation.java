package io.reliablemq.fallback;

/**
 * Room for one entry, taken from a {@link FallbackStore}'s capacity before the message exists in
 * the store ({@link FallbackStore#reserve}). An asynchronous send reserves when it is accepted, so
 * that a send the broker cannot take always fits in the store, a full store is refused at once
 * instead of after the retries, and the bodies waiting for an append are bounded by the store's
 * byte capacity. The reservation ends exactly once: consumed by {@link FallbackStore#append(
 * io.reliablemq.message.ReliableMessage, boolean, CapacityReservation)} (the entry is then counted
 * as stored, or released by the store if the append fails), or given back by {@link #release()}.
 */
public interface CapacityReservation {

  /** A reservation of nothing, for stores that do not reserve. */
  CapacityReservation NONE = () -> {};

  /**
   * Gives the room back; does nothing once the reservation was consumed by an append or released
   * already.
   */
  void release();
}
