package io.reliablemq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmark figures and prints one table. {@code -Dbench.only=B3,B4,B5,B6} picks figures.
 * Every figure that compares with the raw client runs both on the same broker in alternating
 * rounds, because single runs on a shared 2-core machine vary twofold. Nothing is asserted.
 */
public final class BenchMain {
  private BenchMain() {}

  /**
   * Runs the benchmarks.
   *
   * @param args a scratch directory
   * @throws Exception on a setup failure
   */
  public static void main(String[] args) throws Exception {
    Path scratch = Path.of(args.length > 0 ? args[0] : "target/bench");
    Files.createDirectories(scratch);
    String only = System.getProperty("bench.only", "B3,B4,B5,B6");
    List<String> rows = new ArrayList<>(FallbackBench.rows(scratch, only));
    if (only.contains("B6")) {
      rows.addAll(ConsumeBench.rows(scratch, Integer.getInteger("bench.consume.count", 20_000)));
    }
    if (only.contains("R1")) {
      rows.addAll(RelayBench.rows(Integer.getInteger("bench.relay.count", 2000), 5));
    }
    System.out.println();
    System.out.println("figure | min | median | max | unit");
    rows.forEach(System.out::println);
  }
}
