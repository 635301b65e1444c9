package io.reliablemq.dedup;

/** The state of a present dedup record; an absent record is the third state. */
public enum DedupState {
  /** An owner claimed the key and is running the handler until its lease ends. */
  PROCESSING,
  /** The handler finished; deliveries of the key are acknowledged without running it again. */
  CONSUMED
}
