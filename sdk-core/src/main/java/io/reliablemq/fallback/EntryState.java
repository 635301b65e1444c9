package io.reliablemq.fallback;

/** The state of a fallback store entry. */
public enum EntryState {
  /** Waiting to be replayed. */
  PENDING,
  /**
   * Failed replay with a non-retryable error; kept with its last error until an operator unparks or
   * deletes it. Never deleted silently.
   */
  PARKED
}
