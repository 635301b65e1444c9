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
 */
public final class Ports {
  static final int LOW = 12_000;
  static final int HIGH = 32_000;

  private final Set<Integer> taken = new HashSet<>();

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
    for (int attempt = 0; attempt < 1000; attempt++) {
      int p = ThreadLocalRandom.current().nextInt(LOW - below, HIGH - above);
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
    throw new IllegalStateException("no free port block found in " + LOW + ".." + HIGH);
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
