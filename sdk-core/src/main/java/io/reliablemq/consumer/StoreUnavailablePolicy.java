package io.reliablemq.consumer;

/** What a consumer does with a delivery when the dedup store cannot be reached. */
public enum StoreUnavailablePolicy {
  /**
   * Answer FAILURE without running the handler: the broker redelivers later, when the store may be
   * back. Nothing is processed twice; processing waits. The default.
   */
  FAIL_CLOSED,

  /**
   * Run the handler without the dedup check (and try to mark it afterwards). Processing continues
   * during a store outage, at the price of duplicates in that time. Not available in the
   * transactional mode, whose mark must commit with the effect.
   */
  FAIL_OPEN
}
