package io.reliablemq.relay;

/** Where a {@link BacklogRelay} stands. */
public enum RelayState {
  /** Receiving and relaying. */
  RUNNING,
  /** Stopped because nothing arrived for the configured idle time: the source looks drained. */
  DRAINED,
  /** Stopped because the configured end time passed. */
  UNTIL_REACHED,
  /** Stopped by {@link BacklogRelay#close()}. */
  CLOSED
}
