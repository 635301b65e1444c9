package io.reliablemq.it.support;

import java.time.Duration;

/**
 * Closes a client on a daemon thread and gives up after a bound: rocketmq-client-java 5.2.0's
 * Producer.close() was seen to block forever after the node it talked to was killed under it.
 */
public final class BoundedClose {
  private BoundedClose() {}

  /**
   * Closes, waiting at most {@code timeout}; a close still blocked then is abandoned (logged).
   *
   * @param closeable what to close
   * @param timeout the bound
   * @throws InterruptedException if interrupted while waiting
   */
  public static void closeWithin(AutoCloseable closeable, Duration timeout)
      throws InterruptedException {
    Thread t =
        new Thread(
            () -> {
              try {
                closeable.close();
              } catch (Exception e) {
                // Best effort.
              }
            },
            "bounded-close");
    t.setDaemon(true);
    t.start();
    t.join(timeout.toMillis());
    if (t.isAlive()) {
      System.out.println("WARN: client close() still blocked after " + timeout + "; abandoned");
    }
  }
}
