package io.reliablemq.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Prints the figures as a table and writes them as {@code results.json}. */
final class Results {
  private Results() {}

  static String table(List<Figure> figures) {
    StringBuilder b = new StringBuilder();
    b.append("| figure | value | unit | rounds | min | median | max | vs raw | goal |\n");
    b.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Figure f : figures) {
      b.append("| ")
          .append(f.figure())
          .append(" | ")
          .append(number(f.value()))
          .append(" | ")
          .append(f.unit())
          .append(" | ")
          .append(f.rounds())
          .append(" | ")
          .append(number(f.min()))
          .append(" | ")
          .append(number(f.median()))
          .append(" | ")
          .append(number(f.max()))
          .append(" | ")
          .append(f.ratioVsRaw() == null ? "" : number(f.ratioVsRaw()))
          .append(" | ")
          .append(f.goal() == null ? "" : f.goal() + (f.meetsGoal() ? " met" : " MISSED"))
          .append(" |\n");
    }
    return b.toString();
  }

  static Path writeJson(Path dir, List<Figure> figures, boolean quick) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("{\n  \"quick\": ").append(quick).append(",\n  \"figures\": [\n");
    for (int i = 0; i < figures.size(); i++) {
      Figure f = figures.get(i);
      b.append("    {\"figure\": ")
          .append(quote(f.figure()))
          .append(", \"value\": ")
          .append(json(f.value()))
          .append(", \"unit\": ")
          .append(quote(f.unit()))
          .append(", \"rounds\": ")
          .append(f.rounds())
          .append(", \"min\": ")
          .append(json(f.min()))
          .append(", \"median\": ")
          .append(json(f.median()))
          .append(", \"max\": ")
          .append(json(f.max()))
          .append(", \"ratioVsRaw\": ")
          .append(f.ratioVsRaw() == null ? "null" : json(f.ratioVsRaw()))
          .append(", \"goal\": ")
          .append(f.goal() == null ? "null" : quote(f.goal().toString()))
          .append(", \"meetsGoal\": ")
          .append(f.meetsGoal())
          .append('}')
          .append(i + 1 < figures.size() ? ",\n" : "\n");
    }
    b.append("  ]\n}\n");
    Files.createDirectories(dir);
    Path file = dir.resolve("results.json");
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    return file;
  }

  static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.valueOf(v);
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }

  // JSON has no NaN or infinity: a figure that could not be computed is null.
  private static String json(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : Double.toString(v);
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
