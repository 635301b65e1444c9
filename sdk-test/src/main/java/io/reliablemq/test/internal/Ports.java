package io.reliablemq.test.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free TCP ports on 127.0.0.1 below the Linux ephemeral range (so outgoing connections are
 * unlikely to take them between a kill and a restart).
 *
 * <p>Several test JVMs on one machine (a build's parallel forks) can split the range between them
 * with the system properties {@value #SLOT_PROPERTY} (1-based) and {@value #SLOTS_PROPERTY}: a port
 * that a killed broker of one JVM left free is then never taken by a broker that another JVM starts
 * meanwhile, which a client reconnecting to the killed one would otherwise reach and send to.
 */
public final class Ports {
  static final int LOW = 12_000;
  static final int HIGH = 32_000;

  /** System property: this JVM's slot of the port range, 1 to {@value #SLOTS_PROPERTY}. */
  public static final String SLOT_PROPERTY = "reliablemq.test.port-slot";

  /** System property: into how many slots the port range is split (default 1). */
  public static final String SLOTS_PROPERTY = "reliablemq.test.port-slots";

  private final int low;
  private final int high;

  private final Set<Integer> taken = new HashSet<>();

  /** Ports of this JVM's slot (the whole range unless the slot properties say otherwise). */
  public Ports() {
    this(System.getProperty(SLOT_PROPERTY), System.getProperty(SLOTS_PROPERTY));
  }

  Ports(String slot, String slots) {
    int n = parse(slots, 1, SLOTS_PROPERTY);
    int k = parse(slot, 1, SLOT_PROPERTY);
    if (n < 1 || n > 10 || k < 1 || k > n) {
      throw new IllegalArgumentException(
          SLOT_PROPERTY + "=" + k + " must be in 1.." + n + " and " + SLOTS_PROPERTY + " in 1..10");
    }
    int width = (HIGH - LOW) / n;
    this.low = LOW + (k - 1) * width;
    this.high = low + width;
  }

  private static int parse(String value, int fallback, String property) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(property + " must be a number, was '" + value + "'", e);
    }
  }

  /**
   * Returns a free port not handed out by this instance before.
   *
   * @return the port
   */
  public int free() {
    return block(0, 0);
  }

  /**
   * Returns a port {@code p} such that every port in {@code p+below .. p+above} is free and none
   * was handed out before; all of them are then taken.
   *
   * @param below offset of the lowest port needed (e.g. -2 for the broker's fast remoting port)
   * @param above offset of the highest port needed (e.g. +1 for the broker's HA port)
   * @return the base port
   */
  public int block(int below, int above) {
    // The lowest port is p + below >= low and the highest p + above < high.
    for (int attempt = 0; attempt < 1000; attempt++) {
      int p = ThreadLocalRandom.current().nextInt(low - below, high - above);
      boolean ok = true;
      for (int q = p + below; q <= p + above && ok; q++) {
        ok = !taken.contains(q) && isFree(q);
      }
      if (ok) {
        for (int q = p + below; q <= p + above; q++) {
          taken.add(q);
        }
        return p;
      }
    }
    throw new IllegalStateException("no free port block found in " + low + ".." + high);
  }

  /**
   * Whether a port can be bound on 127.0.0.1 and on every interface right now.
   *
   * @param port the port
   * @return true if free
   */
  public static boolean isFree(int port) {
    return canBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        && canBind(new InetSocketAddress(port));
  }

  private static boolean canBind(InetSocketAddress address) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(address);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
