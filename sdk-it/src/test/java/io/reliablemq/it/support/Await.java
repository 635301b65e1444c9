package io.reliablemq.it.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a bounded timeout; the poll interval is not a synchronisation. */
public final class Await {
  private Await() {}

  /**
   * Polls until the condition holds.
   *
   * @param timeout the bound
   * @param what what is awaited, for the failure message
   * @param condition the condition
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
      }
      pause();
    }
  }

  /**
   * Calls the action until it returns without exception.
   *
   * @param timeout the bound
   * @param what what is awaited, for the failure message
   * @param action the action
   * @param <T> the result type
   * @return the first successful result
   */
  public static <T> T succeeds(Duration timeout, String what, Supplier<T> action) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last;
    do {
      try {
        return action.get();
      } catch (RuntimeException e) {
        last = e;
      }
      pause();
    } while (System.nanoTime() < deadline);
    throw new AssertionError("Timed out after " + timeout + " waiting for " + what, last);
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
