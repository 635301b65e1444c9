package io.reliablemq.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole benchmark suite in quick mode against a real embedded broker, so the harness
 * cannot rot. It asserts that every figure was produced and results.json is well formed, never a
 * time or a rate.
 */
class BenchSmokeIT {
  /** One prefix per figure the suite must produce. */
  private static final List<String> EXPECTED =
      List.of(
          "B1 sync send 1t raw",
          "B1 sync send 1t SDK",
          "B1 sync send 1t SDK/raw",
          "B1 sync send 8t raw",
          "B1 sync send 8t SDK",
          "B1 sync send 8t SDK/raw",
          "B2 send latency p50 raw",
          "B2 send latency p50 SDK",
          "B2 send latency p99 raw",
          "B2 send latency p99 SDK",
          "B2 send latency p999 raw",
          "B2 send latency p999 SDK",
          "B3 send, circuit open, broker SIGSTOP p50 SDK",
          "B3 send, circuit open, broker SIGSTOP p99 SDK",
          "B3 raw client time to fail",
          "B4 fallback append PROCESS_CRASH 1t",
          "B4 fallback append PROCESS_CRASH 8t",
          "B4 fallback append POWER_LOSS 1t",
          "B4 fallback append POWER_LOSS 8t",
          "B4 reference: raw fsync",
          "B5 raw sendAsync",
          "B5 replay drain",
          "B5 replay/raw sendAsync",
          "B6 raw PushConsumer",
          "B6 ReliableConsumer + dedup",
          "B6 dedup/raw",
          "B6 dedup check cost per message",
          "B7 validate",
          "B7 idGeneration",
          "B7 classify",
          "B7 dedupCacheHit",
          "B8 outage 5 s: first replay acked after proxy ready",
          "B8 outage 5 s: first stored message consumed after proxy ready",
          "B8 outage 5 s: store empty after proxy ready",
          "B8 outage 5 s: messages stored",
          "B8 outage 5 s: raw client built before the outage",
          "HEAP allocation per send raw",
          "HEAP allocation per send SDK",
          "HEAP producer+store used, empty store",
          "HEAP growth / stored bodies' size");

  @Test
  void quickRun_producesEveryFigure_andWellFormedResultsJson(@TempDir Path dir) throws Exception {
    BenchOptions options =
        new BenchOptions(dir, true, Set.of("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "HEAP"));

    List<Figure> figures = BenchMain.run(options);
    Path json = Results.writeJson(dir, figures, true);

    List<String> names = figures.stream().map(Figure::figure).toList();
    for (String expected : EXPECTED) {
      assertThat(names).as("figures").anyMatch(n -> n.startsWith(expected));
    }
    assertThat(Results.table(figures).lines()).hasSize(figures.size() + 2);

    JsonNode root = new ObjectMapper().readTree(Files.readString(json));
    assertThat(root.get("quick").asBoolean()).isTrue();
    JsonNode array = root.get("figures");
    assertThat(array.isArray()).isTrue();
    assertThat(array.size()).isEqualTo(figures.size());
    List<String> jsonNames = new ArrayList<>();
    for (JsonNode f : array) {
      jsonNames.add(f.get("figure").asText());
      for (String field : List.of("value", "min", "median", "max")) {
        assertThat(f.get(field).isNumber()).as(f.get("figure") + " " + field).isTrue();
      }
      assertThat(f.get("min").asDouble()).isLessThanOrEqualTo(f.get("median").asDouble());
      assertThat(f.get("median").asDouble()).isLessThanOrEqualTo(f.get("max").asDouble());
      assertThat(f.get("rounds").asInt()).isPositive();
      assertThat(f.get("unit").asText()).isNotBlank();
      assertThat(f.has("ratioVsRaw")).isTrue();
      assertThat(f.has("goal")).isTrue();
    }
    assertThat(jsonNames).isEqualTo(names);
    assertThat(array)
        .filteredOn(f -> f.get("figure").asText().startsWith("B1 sync send 1t SDK/raw"))
        .singleElement()
        .satisfies(f -> assertThat(f.get("goal").asText()).isEqualTo(">= 0.9500"));
  }
}
