package io.reliablemq.examples.flashsale;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reconciliation at the end of the sale: figures, phase times and the invariants checked. */
final class Report {
  final Map<String, Object> figures = new LinkedHashMap<>();
  final Map<String, Long> phaseMillis = new LinkedHashMap<>();
  final List<String> failures = new ArrayList<>();

  void figure(String name, Object value) {
    figures.put(name, value);
  }

  long number(String name) {
    return ((Number) figures.get(name)).longValue();
  }

  void require(boolean holds, String invariant) {
    if (!holds) {
      failures.add(invariant);
    }
  }

  boolean ok() {
    return failures.isEmpty();
  }

  void print(PrintStream out) {
    out.println();
    out.println("================ flash sale reconciliation ================");
    figures.forEach((name, value) -> out.printf("  %-44s %s%n", name, value));
    out.println("  time per phase:");
    phaseMillis.forEach((name, ms) -> out.printf("    %-42s %,d ms%n", name, ms));
    if (ok()) {
      out.println("  RESULT: OK (lost = 0, oversold = 0, every invariant holds)");
    } else {
      out.println("  RESULT: FAILED");
      failures.forEach(f -> out.println("    violated: " + f));
    }
    out.println("============================================================");
  }
}
