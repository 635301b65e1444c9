package io.reliablemq.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches whether the proxy endpoints accept TCP connections, on one daemon thread, so that the SDK
 * does not wait out the 5.2.0 client's gRPC reconnect backoff (1 s growing by 1.6 up to 120 s, not
 * configurable, failing calls fast with {@code UNAVAILABLE} meanwhile) once the proxy is back.
 *
 * <p>Every tick (the interval with 20% jitter, so that many instances do not probe in step) it asks
 * its {@link Policy} whether to probe; a probe is one TCP connect per endpoint, closed at once, and
 * its result goes to the policy, which decides what to do (replace a client, wake a replayer). A
 * connect proves the proxy listens, not that it serves; the policies only act on it when the client
 * they own is failing, and a replacement that does not help is retried no sooner than a second
 * later.
 */
public final class EndpointWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointWatcher.class);

  /** Decides when to probe and what a probe's result means for one client. */
  public interface Policy {
    /**
     * Whether to probe at this tick.
     *
     * @return true to probe now
     */
    boolean shouldProbe();

    /**
     * The result of a probe.
     *
     * @param reachable true when at least one endpoint accepted a TCP connection
     */
    void onProbe(boolean reachable);
  }

  private final String name;
  private final List<InetSocketAddress> endpoints;
  private final long intervalNanos;
  private final int connectTimeoutMillis;
  private final Policy policy;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private boolean poked;
  private volatile boolean running;
  private Thread thread;

  /**
   * Creates a watcher; {@link #start()} starts it.
   *
   * @param name for the thread's name
   * @param endpoints the client's endpoints, {@code host:port[;host:port...]}
   * @param interval the probe interval; zero for a watcher that never probes
   * @param policy what to do
   */
  public EndpointWatcher(String name, String endpoints, Duration interval, Policy policy) {
    this.name = name;
    this.endpoints = parse(endpoints);
    this.intervalNanos = interval.toNanos();
    this.connectTimeoutMillis = (int) Math.max(50, Math.min(1000, interval.toMillis()));
    this.policy = policy;
  }

  /**
   * The socket addresses of an endpoints string; entries without a port are left out.
   *
   * @param endpoints {@code host:port[;host:port...]}, optionally with an {@code http(s)://} prefix
   * @return the addresses, unresolved
   */
  public static List<InetSocketAddress> parse(String endpoints) {
    List<InetSocketAddress> out = new ArrayList<>();
    if (endpoints == null) {
      return out;
    }
    for (String raw : endpoints.split("[;,]")) {
      String e = raw.trim().replaceFirst("^[a-zA-Z]+://", "");
      int colon = e.lastIndexOf(':');
      if (colon <= 0 || colon == e.length() - 1) {
        continue;
      }
      try {
        int port = Integer.parseInt(e.substring(colon + 1));
        String host = e.substring(0, colon).replace("[", "").replace("]", "");
        out.add(InetSocketAddress.createUnresolved(host, port));
      } catch (IllegalArgumentException ignored) {
        // Not an address this watcher can probe; the client reports it.
      }
    }
    return out;
  }

  /** Starts the watcher thread, unless the interval is zero or no endpoint has a port. */
  public synchronized void start() {
    if (running || intervalNanos <= 0) {
      return;
    }
    if (endpoints.isEmpty()) {
      LOG.info("No endpoint to probe for {}: reconnecting is left to the client", name);
      return;
    }
    running = true;
    thread = new Thread(this::loop, "reliablemq-endpoint-watch-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Ends the current wait, so that the policy is asked now (a client just started failing). */
  public void poke() {
    lock.lock();
    try {
      poked = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * One probe, on the caller's thread.
   *
   * @return true when at least one endpoint accepted a TCP connection
   */
  public boolean probe() {
    for (InetSocketAddress a : endpoints) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(a.getHostString(), a.getPort()), connectTimeoutMillis);
        return true;
      } catch (IOException | IllegalArgumentException | SecurityException e) {
        // Not listening (yet), or not resolvable: try the next endpoint.
      }
    }
    return false;
  }

  private void loop() {
    while (running) {
      try {
        if (policy.shouldProbe()) {
          boolean reachable = probe();
          if (running) {
            policy.onProbe(reachable);
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("Endpoint watcher {} failed a round: {}", name, e.toString());
      }
      long jitter = (long) (intervalNanos * 0.2);
      long wait = intervalNanos - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
      lock.lock();
      try {
        long left = wait;
        while (running && !poked && left > 0) {
          left = wake.awaitNanos(left);
        }
        poked = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Stops the watcher and waits for its thread (at most one probe). */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    poke();
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
