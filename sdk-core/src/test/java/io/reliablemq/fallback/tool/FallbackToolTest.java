package io.reliablemq.fallback.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FallbackToolTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int tool(String... args) {
    out.reset();
    err.reset();
    return FallbackTool.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private JdbcFallbackStore open() {
    return JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(dir).build());
  }

  private String[] seed() {
    try (JdbcFallbackStore store = open()) {
      StoredEntry a =
          store.append(
              ReliableMessage.builder("orders").body("secret-body-a").id("id-a").build(), false);
      StoredEntry b =
          store.append(
              ReliableMessage.builder("orders").body("secret-body-b").id("id-b").build(), false);
      store.park(b.id(), "NotFoundException: topic gone");
      return new String[] {a.id(), b.id()};
    }
  }

  @Test
  void count_reportsEntriesByState() {
    seed();
    assertThat(tool("--store", dir.toString(), "count")).isZero();
    assertThat(out()).contains("entries 2 (pending 1, parked 1)").contains("oldest stored at");
  }

  @Test
  void list_showsEntriesWithoutBodies() {
    seed();
    assertThat(tool("--store", dir.toString(), "list")).isZero();
    assertThat(out())
        .contains("id-a")
        .contains("id-b")
        .contains("PARKED")
        .contains("NotFoundException")
        .doesNotContain("secret-body");
  }

  @Test
  void blocked_namesTheGroupAParkedEntryBlocks_andDeletingTheEntryUnblocksIt() {
    try (JdbcFallbackStore store = open()) {
      StoredEntry head = store.append(fifo("g-1"), false);
      store.append(fifo("g-2"), false);
      store.park(head.id(), "ForbiddenException: no permission");
    }
    assertThat(tool("--store", dir.toString(), "blocked")).isZero();
    assertThat(out())
        .contains("orders\tG\tg-1\t1\tForbiddenException: no permission")
        .doesNotContain("secret-body");

    assertThat(tool("--store", dir.toString(), "delete", "g-1")).isZero();
    assertThat(tool("--store", dir.toString(), "blocked")).isZero();
    assertThat(out()).doesNotContain("orders\tG");
  }

  private static ReliableMessage fifo(String id) {
    return ReliableMessage.builder("orders").body("secret-body").id(id).messageGroup("G").build();
  }

  @Test
  void unparkAndDelete_changeTheStore_andSayWhenNothingMatched() {
    seed();
    assertThat(tool("--store", dir.toString(), "unpark", "id-b")).isZero();
    assertThat(tool("--store", dir.toString(), "delete", "id-a")).isZero();
    assertThat(tool("--store", dir.toString(), "delete", "id-missing")).isEqualTo(1);
    assertThat(out()).contains("no such entry");
    try (JdbcFallbackStore store = open()) {
      assertThat(store.count()).isEqualTo(1);
      assertThat(store.find("id-b").orElseThrow().state()).isEqualTo(EntryState.PENDING);
    }
  }

  @Test
  void storeInUseByARunningApplication_failsClearly() {
    seed();
    try (JdbcFallbackStore running = open()) {
      assertThat(tool("--store", dir.toString(), "count")).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("fallback-tool:");
    }
  }

  @Test
  void badUsage_printsUsage() {
    assertThat(tool()).isEqualTo(2);
    assertThat(tool("--store")).isEqualTo(2);
    assertThat(tool("--store", dir.toString(), "explode")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
  }

  @Test
  void missingStore_isReported_notCreated() {
    Path nowhere = dir.resolve("typo");
    assertThat(tool("--store", nowhere.toString(), "count")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no store at");
    assertThat(nowhere).doesNotExist();
  }

  @Test
  void ddl_printsTheSchema() {
    assertThat(tool("ddl")).isZero();
    assertThat(out()).containsIgnoringCase("create table");
  }
}
