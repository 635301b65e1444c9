package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.StoredEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the application during an outage: a child JVM sends through {@link
 * io.reliablemq.producer.ReliableProducer} with nothing listening at the endpoint, printing each
 * acknowledged id after {@code send} returned; the test SIGKILLs it at a random moment, reopens the
 * H2 store and finds every acknowledged id. Several cycles on the same store.
 */
class AppKillIT {
  private static final int CYCLES = 4;

  @TempDir Path storeDir;
  @TempDir Path logs;

  @Test
  void everyAcknowledgedStoredMessage_survivesKill9OfTheApplication() throws Exception {
    long seed = Long.getLong("appkill.seed", System.nanoTime());
    System.out.println("AppKillIT seed " + seed + " (replay with -Dappkill.seed=" + seed + ")");
    Random random = new Random(seed);
    String endpoints = "127.0.0.1:" + freePort();
    Set<String> acknowledged = new HashSet<>();

    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Set<String> acked = ConcurrentHashMap.newKeySet();
      AtomicBoolean sawSent = new AtomicBoolean();
      Process child = start(endpoints, cycle);
      Thread reader = readAcks(child, acked, sawSent);
      try {
        // Wait for the circuit to open and STORED acknowledgements to flow, then kill at random.
        await("200 acknowledgements from the child (see " + logs + ")")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> acked.size() >= 200 || !child.isAlive());
        assertThat(child.isAlive()).as("child alive (see %s)", logs).isTrue();
        assertThat(acked.size()).as("acknowledgements before the kill").isGreaterThanOrEqualTo(200);
        Thread.sleep(random.nextInt(1500));
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join(TimeUnit.SECONDS.toMillis(10));
      }
      assertThat(sawSent).as("nothing can be SENT: nothing listens").isFalse();
      acknowledged.addAll(acked);

      try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 10_000_000)) {
        Set<String> held = new HashSet<>();
        long offset = 0;
        List<StoredEntry> page;
        while (!(page = store.list(offset, 10_000)).isEmpty()) {
          page.forEach(e -> held.add(e.id()));
          offset += page.size();
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(held);
        System.out.printf(
            "AppKillIT cycle %d: acknowledged %d this cycle, %d in all, store holds %d, lost %d%n",
            cycle, acked.size(), acknowledged.size(), held.size(), lost.size());
        assertThat(lost).as("acknowledged but not in the store").isEmpty();
      }
    }
  }

  private Process start(String endpoints, int cycle) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Drocketmq.log.root=" + logs.resolve("client-" + cycle));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(StoringApp.class.getName());
    cmd.add(storeDir.toString());
    cmd.add(endpoints);
    cmd.add("4");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(logs.resolve("child-" + cycle + ".err").toFile());
    return pb.start();
  }

  private static Thread readAcks(Process child, Set<String> acked, AtomicBoolean sawSent) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.startsWith("ACK ")) {
                    String[] parts = line.split(" ");
                    // A line cut by the kill is not a complete acknowledgement.
                    if (parts.length == 3
                        && (parts[2].equals("STORED") || parts[2].equals("SENT"))) {
                      acked.add(parts[1]);
                      if (parts[2].equals("SENT")) {
                        sawSent.set(true);
                      }
                    }
                  }
                }
              } catch (IOException e) {
                // the pipe closes when the child dies
              }
            },
            "ack-reader");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
