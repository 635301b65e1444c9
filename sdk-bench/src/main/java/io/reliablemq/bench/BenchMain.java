package io.reliablemq.bench;

import io.reliablemq.test.EmbeddedRocketMQ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmark figures, prints one table and writes {@code results.json}. {@code
 * -Dbench.only=B1,B5} picks figures ({@code B1}..{@code B8}, {@code HEAP}; default all), {@code
 * -Dbench.quick=true} runs fewer rounds and messages. Every figure that compares with the raw
 * client runs both on the same broker in alternating rounds, because single runs on a shared 2-core
 * machine vary twofold. Nothing is asserted.
 */
public final class BenchMain {
  private BenchMain() {}

  /**
   * Runs the benchmarks.
   *
   * @param args the output directory (default {@code target/bench})
   * @throws Exception on a setup failure
   */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
    BenchOptions options = BenchOptions.fromSystemProperties(out);
    long start = System.nanoTime();
    List<Figure> figures = run(options);
    System.out.println();
    System.out.print(Results.table(figures));
    System.out.printf(
        "%nwritten %s in %.0f s%n",
        Results.writeJson(out, figures, options.quick()), FallbackBench.seconds(start));
  }

  /**
   * Runs the selected figures; the broker is started once and shared, and B3 (which hangs it) runs
   * last.
   *
   * @param options what to run
   * @return the figures, in order
   * @throws Exception on a setup failure
   */
  static List<Figure> run(BenchOptions options) throws Exception {
    Files.createDirectories(options.scratch());
    List<Figure> figures = new ArrayList<>();
    if (options.runs("B7")) {
      progress("B7");
      figures.addAll(MicroBench.hotPaths(options));
    }
    if (options.runs("B4")) {
      progress("B4");
      figures.addAll(FallbackBench.append(options));
    }
    boolean needsBroker =
        options.runs("B1")
            || options.runs("B2")
            || options.runs("B3")
            || options.runs("B5")
            || options.runs("B6")
            || options.runs("B8")
            || options.runs("HEAP")
            || options.only().contains("R1");
    if (!needsBroker) {
      return figures;
    }
    try (EmbeddedRocketMQ mq = EmbeddedRocketMQ.builder().build().start()) {
      if (options.runs("B1") || options.runs("B2")) {
        progress("B1/B2");
        figures.addAll(SendBench.throughputAndLatency(mq, options));
      }
      if (options.runs("HEAP")) {
        progress("HEAP");
        figures.addAll(MicroBench.allocationPerSend(mq, options));
        figures.addAll(HeapBench.storedEntries(mq, options));
      }
      if (options.runs("B5")) {
        progress("B5");
        figures.addAll(FallbackBench.replayDrain(mq, options));
      }
      if (options.runs("B6")) {
        progress("B6");
        figures.addAll(ConsumeBench.figures(mq, options));
      }
      if (options.only().contains("R1")) {
        // Issue 10's figure, asked for by name: a full run stays within its 10-minute budget.
        progress("R1");
        figures.addAll(RelayBench.figures(mq, options));
      }
      if (options.runs("B8")) {
        // Kills and restarts the shared broker (same ports and store): after the others, before
        // B3, which hangs it.
        progress("B8");
        figures.addAll(RecoveryBench.figures(mq, options));
      }
      if (options.runs("B3")) {
        progress("B3");
        figures.addAll(SendBench.circuitOpen(mq, options));
      }
    }
    progress("nothing: done");
    return figures;
  }

  private static final long STARTED = System.nanoTime();

  private static void progress(String figure) {
    System.out.printf("[bench] +%.0f s running %s%n", FallbackBench.seconds(STARTED), figure);
  }
}
