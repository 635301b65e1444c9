package io.reliablemq.internal;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a RocketMQ client object on a daemon thread and waits a bounded time: the 5.2.0 client's
 * {@code close()} was seen to block forever after the broker was killed and restarted, and a hung
 * close must not hang the application's shutdown.
 */
public final class BoundedClose {
  private static final Logger LOG = LoggerFactory.getLogger(BoundedClose.class);

  private BoundedClose() {}

  /**
   * Closes and waits at most {@code timeout}; a close still running then is left behind on its
   * daemon thread.
   *
   * @param closeable the client object
   * @param what its name for logs and the thread, e.g. {@code "producer"}
   * @param timeout how long to wait
   * @return true when the close finished in time
   */
  public static boolean close(Closeable closeable, String what, Duration timeout) {
    Thread closer =
        new Thread(
            () -> {
              try {
                closeable.close();
              } catch (IOException | RuntimeException e) {
                LOG.warn("Closing the RocketMQ {} failed: {}", what, e.toString());
              }
            },
            "reliablemq-" + what + "-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      LOG.warn("The RocketMQ {} did not close within {}; leaving it behind", what, timeout);
      return false;
    }
    return true;
  }

  /**
   * Closes a client that was replaced by a new one, without making the caller wait: the old client
   * may hang in its close (see the class comment) and the new one is already serving.
   *
   * @param closeable the replaced client
   * @param what its name for logs and the thread
   * @param timeout how long the background close is waited for before it is left behind
   */
  public static void closeDetached(Closeable closeable, String what, Duration timeout) {
    Thread t = new Thread(() -> close(closeable, what, timeout), "reliablemq-" + what + "-retire");
    t.setDaemon(true);
    t.start();
  }
}
