package io.reliablemq.internal.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The H2 version gate of the embedded stores: only kill-tested H2 versions open a store file. */
class EmbeddedH2VersionTest {
  private static final StoreFailure FAILURE = IllegalStateException::new;

  @TempDir Path tmp;

  @Test
  void open_refusesUntestedH2_beforeTouchingAnyFile_namingFoundAcceptedAndHowToPin() {
    Path dir = tmp.resolve("store");

    assertThatThrownBy(
            () -> EmbeddedH2.open(dir, "fallback", "Fallback store", FAILURE, "2.5.252", false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Fallback store: H2 2.5.252 is on the classpath")
        .hasMessageContaining("[2.3.232, 2.4.240]")
        .hasMessageContaining("<h2.version>2.4.240</h2.version>")
        .hasMessageContaining("-Dreliablemq.h2.allow-untested-version=true");
    assertThat(dir).doesNotExist();
  }

  @Test
  void open_opensUntestedH2_whenTheUserAcceptedTheRisk() {
    Path dir = tmp.resolve("store");

    try (EmbeddedH2 file =
        EmbeddedH2.open(dir, "fallback", "Fallback store", FAILURE, "2.5.252", true)) {
      assertThat(file.file()).exists();
    }
  }

  static Iterable<String> testedVersions() {
    return EmbeddedH2.TESTED_H2_VERSIONS;
  }

  @ParameterizedTest
  @MethodSource("testedVersions")
  void checkH2Version_acceptsEveryKillTestedVersion(String version) {
    EmbeddedH2.checkH2Version(version, false, "Dedup store", FAILURE);
  }

  @Test
  void testedVersions_includeSpringBoot35sH2AndTheOneTheSdkIsBuiltWith() {
    assertThat(EmbeddedH2.TESTED_H2_VERSIONS).contains("2.3.232", org.h2.engine.Constants.VERSION);
  }

  @Test
  void open_onTheClassPathH2_opensWithoutTheOptOut() throws Exception {
    Path dir = tmp.resolve("store");

    try (EmbeddedH2 file = EmbeddedH2.open(dir, "dedup", "Dedup store", FAILURE)) {
      assertThat(Files.exists(file.file())).isTrue();
    }
  }
}
