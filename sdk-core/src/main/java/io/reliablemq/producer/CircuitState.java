package io.reliablemq.producer;

/**
 * The state of the circuit breaker in front of the broker ({@link
 * ReliableProducer#circuitState()}). Health and metrics report it by {@link #name()}, so the names
 * are part of the observable output.
 */
public enum CircuitState {
  /** Sends go to the broker. */
  CLOSED,
  /**
   * The broker is taken as down: sends go straight to the fallback store (or fail without one)
   * until the wait in open state ends or the endpoint watcher sees the proxy back.
   */
  OPEN,
  /** A few trial sends go to the broker; their outcomes close or reopen the circuit. */
  HALF_OPEN,
  /** No circuit is configured ({@link CircuitConfig} disabled): every send goes to the broker. */
  DISABLED
}
