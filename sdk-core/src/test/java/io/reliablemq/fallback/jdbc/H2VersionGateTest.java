package io.reliablemq.fallback.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 store in a JVM that really runs an H2 the kill test refused (2.5.252, which lost
 * acknowledged commits): it does not open, and says why, unless the user accepted the risk.
 */
class H2VersionGateTest {
  private static final String REFUSED_H2 = "2.5.252";

  @TempDir Path tmp;

  @Test
  @Timeout(120)
  void h2Store_refusesToOpen_onAnUntestedH2_beforeCreatingItsDirectory() throws Exception {
    Path dir = tmp.resolve("store");
    String classPath = ChildJvm.classPathWithH2(REFUSED_H2);

    try (ChildJvm child =
        ChildJvm.startWithClassPath(classPath, tmp.resolve("child.err"), "hold", dir.toString())) {
      assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
      child.kill(); // drains what the child printed

      assertThat(child.h2Version()).as("H2 of the child").isEqualTo(REFUSED_H2);
      assertThat(child.process.exitValue()).as("exit code").isNotZero();
      assertThat(child.awaitReady(0)).as("store opened").isFalse();
      assertThat(child.stderrText())
          .contains("FallbackStoreException")
          .contains("Fallback store: H2 2.5.252 is on the classpath")
          .contains("[2.3.232, 2.4.240]")
          .contains("<h2.version>2.4.240</h2.version>")
          .contains("-Dreliablemq.h2.allow-untested-version=true");
      assertThat(dir).doesNotExist();
    }
  }

  @Test
  @Timeout(120)
  void h2Store_opensOnAnUntestedH2_whenTheSystemPropertyAcceptsTheRisk() throws Exception {
    Path dir = tmp.resolve("store");
    String classPath = ChildJvm.classPathWithH2(REFUSED_H2);

    try (ChildJvm child =
        ChildJvm.startWithClassPath(
            classPath,
            List.of("-Dreliablemq.h2.allow-untested-version=true"),
            tmp.resolve("child.err"),
            "hold",
            dir.toString())) {
      assertThat(child.awaitReady(60_000))
          .as("store opened; stderr: %s", child.stderrText())
          .isTrue();
      assertThat(child.h2Version()).as("H2 of the child").isEqualTo(REFUSED_H2);
      assertThat(dir.resolve("fallback.mv.db")).exists();
    }
  }
}
