package io.reliablemq.fallback.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.internal.jdbc.EmbeddedH2;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kill -9} of a process appending to the embedded H2 store: every append that returned (and
 * was printed) must be in the store when it is reopened. This is the property H2 with {@code
 * WRITE_DELAY=0} was chosen for (docs/guarantees.md, "The embedded store"). It runs on every H2
 * version the stores accept ({@link EmbeddedH2#TESTED_H2_VERSIONS}): the appender and the reopen
 * both run in a child JVM on that version's jar (the reactor's, or one copied into {@code
 * target/h2-versions} by sdk-core's pom).
 */
class H2StoreKillTest {
  private static final int CYCLES = 5;

  @TempDir Path tmp;

  static List<String> acceptedH2Versions() {
    return EmbeddedH2.TESTED_H2_VERSIONS;
  }

  @ParameterizedTest(name = "H2 {0}")
  @MethodSource("acceptedH2Versions")
  @Timeout(300) // a hang guard: 5 cycles take 35-120 s on a loaded 2-core machine
  void everyAcknowledgedAppendSurvivesKillMinus9(String h2Version) throws Exception {
    String classPath = ChildJvm.classPathWithH2(h2Version);
    long seed = Long.getLong("killtest.seed", System.nanoTime());
    System.out.println(
        "H2StoreKillTest seed=" + seed + " (rerun with -Dkilltest.seed=" + seed + ")");
    Random random = new Random(seed);
    Path dir = tmp.resolve("store");
    Set<String> allAcknowledged = new HashSet<>();
    long started = System.nanoTime();
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Path stderr = tmp.resolve("child-" + cycle + ".err");
      int minAcks = 200 + random.nextInt(3000);
      long killDelayMillis = random.nextInt(500);
      ChildJvm child =
          ChildJvm.startWithClassPath(
              classPath, stderr, "append", dir.toString(), "4", "c" + cycle);
      try {
        assertThat(child.awaitReady(30_000))
            .as("child ready; stderr: %s", child.stderrText())
            .isTrue();
        assertThat(child.h2Version()).as("H2 of the child").isEqualTo(h2Version);
        assertThat(child.awaitAcks(minAcks, 30_000))
            .as("child acknowledged %d appends; stderr: %s", minAcks, child.stderrText())
            .isTrue();
        // The random moment of the kill: the one sleep this test needs.
        Thread.sleep(killDelayMillis);
        child.kill();
      } finally {
        child.close();
      }
      Set<String> acked = Set.copyOf(child.acknowledged);
      allAcknowledged.addAll(acked);

      Set<String> missing = new TreeSet<>(allAcknowledged);
      ChildJvm verifier =
          ChildJvm.startWithClassPath(
              classPath, tmp.resolve("verify-" + cycle + ".err"), "verify", dir.toString());
      try {
        assertThat(verifier.awaitDone(120_000))
            .as("store reopened on H2 %s; stderr: %s", h2Version, verifier.stderrText())
            .isTrue();
        assertThat(verifier.h2Version()).as("H2 of the reopen").isEqualTo(h2Version);
      } finally {
        verifier.close();
      }
      int held = verifier.held.size();
      missing.removeAll(verifier.held);
      System.out.printf(
          "H2 %s kill cycle %d: killed after >=%d acks + %d ms, %d acknowledged this cycle, %d held,"
              + " %d lost%n",
          h2Version, cycle, minAcks, killDelayMillis, acked.size(), held, missing.size());
      assertThat(missing)
          .as("acknowledged but lost after kill cycle %d (seed %d)", cycle, seed)
          .isEmpty();
    }
    System.out.printf(
        "H2StoreKillTest H2 %s: %d cycles, %d acknowledged appends, 0 lost, %d ms%n",
        h2Version, CYCLES, allAcknowledged.size(), (System.nanoTime() - started) / 1_000_000);
  }
}
