package io.reliablemq.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What to run: the scratch directory, the quick switch (fewer rounds and messages, for the smoke
 * run) and which figures.
 *
 * @param scratch where stores, temp files and results.json go
 * @param quick fewer rounds and messages
 * @param only the figure ids to run ({@code B1}..{@code B7}, {@code HEAP}); empty runs all
 */
record BenchOptions(Path scratch, boolean quick, Set<String> only) {
  BenchOptions {
    Objects.requireNonNull(scratch, "scratch");
    only = Set.copyOf(only);
  }

  static BenchOptions fromSystemProperties(Path scratch) {
    String only = System.getProperty("bench.only", "all").trim().toUpperCase(Locale.ROOT);
    Set<String> ids =
        only.isEmpty() || only.equals("ALL") ? Set.of() : Set.of(only.split("\\s*,\\s*"));
    return new BenchOptions(scratch, Boolean.getBoolean("bench.quick"), ids);
  }

  boolean runs(String id) {
    return only.isEmpty() || only.contains(id);
  }

  int pick(int full, int quickValue) {
    return quick ? quickValue : full;
  }
}
