package io.reliablemq.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.jdbc.SchemaManagement;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FallbackStoreConfigTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    FallbackStoreConfig c = FallbackStoreConfig.ofDefaults();

    assertThat(c.directory()).isEqualTo(Path.of("reliablemq-fallback").toAbsolutePath());
    assertThat(c.name()).isEqualTo("fallback");
    assertThat(c.tablePrefix()).isEqualTo("rmq");
    assertThat(c.durability()).isEqualTo(Durability.PROCESS_CRASH);
    assertThat(c.maxRows()).isEqualTo(1_000_000L);
    assertThat(c.maxBytes()).isEqualTo(1L << 30);
    assertThat(c.groupCommitMaxBatch()).isEqualTo(256);
    assertThat(c.groupCommitMaxLinger()).isEqualTo(Duration.ZERO);
    assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.schemaManagement()).isEqualTo(SchemaManagement.AUTO);
  }

  @Test
  void tablePrefixCarryingSqlIsRejected() {
    assertThatThrownBy(() -> FallbackStoreConfig.custom().tablePrefix("x; DROP TABLE"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix")
        .hasMessageContaining("^[A-Za-z][A-Za-z0-9_]{0,62}$");
  }

  @Test
  void tablePrefixTooLongForDerivedNamesIsRejected() {
    assertThatThrownBy(() -> FallbackStoreConfig.custom().tablePrefix("p".repeat(41)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix must be at most 40");
    assertThat(FallbackStoreConfig.custom().tablePrefix("p".repeat(40)).build().tablePrefix())
        .hasSize(40);
  }

  @Test
  void nameMustBeAPlainIdentifier() {
    for (String bad : new String[] {"", "1abc", "a-b", "a;b", "../x", "a b", "x".repeat(64)}) {
      assertThatThrownBy(() -> FallbackStoreConfig.custom().name(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("name");
    }
    assertThat(FallbackStoreConfig.custom().name("Orders_2").build().name()).isEqualTo("Orders_2");
  }

  @Test
  void directoryThatWouldInjectUrlSettingsIsRejected() {
    assertThatThrownBy(
            () -> FallbackStoreConfig.custom().directory(Path.of("/tmp/x;AUTO_SERVER=TRUE")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("directory");
  }

  @Test
  void relativeDirectoryIsMadeAbsolute() {
    assertThat(FallbackStoreConfig.custom().directory(Path.of("a/../b")).build().directory())
        .isEqualTo(Path.of("b").toAbsolutePath());
  }

  @Test
  void limitsAreValidatedWithFieldAndRange() {
    assertThatThrownBy(() -> FallbackStoreConfig.custom().maxRows(0))
        .hasMessageContaining("maxRows must be 1..");
    assertThatThrownBy(() -> FallbackStoreConfig.custom().maxBytes(0))
        .hasMessageContaining("maxBytes must be 1..");
    assertThatThrownBy(() -> FallbackStoreConfig.custom().groupCommitMaxBatch(0))
        .hasMessageContaining("groupCommitMaxBatch must be 1..10000");
    assertThatThrownBy(
            () -> FallbackStoreConfig.custom().groupCommitMaxLinger(Duration.ofSeconds(2)))
        .hasMessageContaining("groupCommitMaxLinger must be 0..1s");
    assertThatThrownBy(
            () -> FallbackStoreConfig.custom().groupCommitMaxLinger(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FallbackStoreConfig.custom().closeTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("closeTimeout must be more than 0 and at most 10min");
    assertThatThrownBy(() -> FallbackStoreConfig.custom().closeTimeout(Duration.ofMinutes(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("closeTimeout");
  }

  @Test
  void toBuilderKeepsEveryValue() {
    FallbackStoreConfig c =
        FallbackStoreConfig.custom()
            .name("n")
            .tablePrefix("p")
            .durability(Durability.POWER_LOSS)
            .maxRows(5)
            .maxBytes(6)
            .groupCommitMaxBatch(7)
            .groupCommitMaxLinger(Duration.ofMillis(8))
            .closeTimeout(Duration.ofMillis(9))
            .schemaManagement(SchemaManagement.NONE)
            .build();

    assertThat(c.toBuilder().build()).usingRecursiveComparison().isEqualTo(c);
  }
}
