package io.reliablemq.bench;

import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the JMH benchmarks (B7 hot paths, and allocation per send with the gc profiler) and turns
 * JMH's results into figures. The quick mode runs in this JVM (no fork) with short iterations: it
 * proves the benchmarks run, its numbers are rough.
 */
final class MicroBench {
  private MicroBench() {}

  static List<Figure> hotPaths(BenchOptions options) throws Exception {
    Collection<RunResult> results =
        new Runner(jmh(options).include(HotPathBenchmarks.class.getName() + "\\.").build()).run();
    List<Figure> figures = new ArrayList<>();
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      figures.add(primary("B7 " + method, r));
      figures.add(alloc("B7 " + method + " allocation", r));
    }
    return figures;
  }

  static List<Figure> allocationPerSend(EmbeddedRocketMQ mq, BenchOptions options)
      throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("bench-alloc");
    mq.createTopic(topic, TopicType.NORMAL);
    Collection<RunResult> results =
        new Runner(
                jmh(options)
                    .include(SendAllocBenchmarks.class.getName() + "\\.")
                    .param("endpoints", mq.endpoints())
                    .param("topic", topic)
                    .build())
            .run();
    Map<String, RunResult> byMethod = new java.util.HashMap<>();
    for (RunResult r : results) {
      String m = r.getParams().getBenchmark();
      byMethod.put(m.substring(m.lastIndexOf('.') + 1), r);
    }
    RunResult sdk = byMethod.get("sdkSend");
    RunResult raw = byMethod.get("rawSend");
    if (sdk == null || raw == null) {
      throw new IllegalStateException("JMH did not run both send benchmarks: " + byMethod.keySet());
    }
    Figure sdkAlloc = alloc("HEAP allocation per send SDK", sdk);
    Figure rawAlloc = alloc("HEAP allocation per send raw", raw);
    return List.of(
        rawAlloc,
        sdkAlloc.withRatio(sdkAlloc.median() / rawAlloc.median()),
        primary("HEAP JMH send time raw (1t)", raw),
        primary("HEAP JMH send time SDK (1t)", sdk));
  }

  private static ChainedOptionsBuilder jmh(BenchOptions options) {
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT);
    if (options.quick()) {
      return b.forks(0)
          .warmupIterations(1)
          .warmupTime(TimeValue.milliseconds(200))
          .measurementIterations(2)
          .measurementTime(TimeValue.milliseconds(200));
    }
    return b.forks(1)
        .jvmArgsAppend("-Xmx1g")
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(5)
        .measurementTime(TimeValue.seconds(1));
  }

  private static Figure primary(String name, RunResult r) {
    Result<?> p = r.getPrimaryResult();
    return fromStatistics(name, p.getScoreUnit(), p.getStatistics());
  }

  private static Figure alloc(String name, RunResult r) {
    Result<?> a = r.getSecondaryResults().get("gc.alloc.rate.norm");
    if (a == null) {
      throw new IllegalStateException("no gc.alloc.rate.norm for " + name);
    }
    return fromStatistics(name, a.getScoreUnit(), a.getStatistics());
  }

  private static Figure fromStatistics(String name, String unit, Statistics s) {
    return new Figure(
        name, unit, (int) s.getN(), s.getMin(), s.getPercentile(50), s.getMax(), null, null);
  }
}
