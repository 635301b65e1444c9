package io.reliablemq.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A local TCP port that a test opens and closes to play a proxy going down and coming back, as far
 * as a TCP connect can tell: the SDK's endpoint watcher only connects. Starts closed.
 */
public final class FakeProxyPort implements AutoCloseable {
  private final int port;
  private ServerSocket socket;
  private final java.util.concurrent.atomic.AtomicLong accepted =
      new java.util.concurrent.atomic.AtomicLong();

  /** Picks a free port on 127.0.0.1 and leaves it closed. */
  public FakeProxyPort() {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The endpoints string of this port.
   *
   * @return {@code 127.0.0.1:port}
   */
  public String endpoints() {
    return "127.0.0.1:" + port;
  }

  /**
   * How many connections were accepted: the watcher's probes of a listening proxy.
   *
   * @return the count
   */
  public long accepted() {
    return accepted.get();
  }

  /** Starts listening (the proxy is back). */
  public synchronized void open() {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
      socket = s;
      // Accepts and drops every connection, so probes never fill the backlog.
      Thread acceptor =
          new Thread(
              () -> {
                while (!s.isClosed()) {
                  try {
                    s.accept().close();
                    accepted.incrementAndGet();
                  } catch (IOException closed) {
                    return;
                  }
                }
              },
              "fake-proxy-" + port);
      acceptor.setDaemon(true);
      acceptor.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + port, e);
    }
  }

  /** Stops listening (the proxy is down): connects are refused. */
  public synchronized void shut() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      socket = null;
    }
  }

  @Override
  public void close() {
    shut();
  }
}
