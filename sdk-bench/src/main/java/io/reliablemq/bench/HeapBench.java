package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.test.EmbeddedRocketMQ;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Steady-state heap of a producer whose fallback store holds many 1 KiB entries, after full GCs. If
 * the store kept messages in heap, the growth would be at least the bodies' total size; H2's page
 * cache is bounded, so the growth stays below it however many entries are stored.
 */
final class HeapBench {
  private HeapBench() {}

  static List<Figure> storedEntries(EmbeddedRocketMQ mq, BenchOptions options) throws Exception {
    int entries = options.pick(100_000, 10_000);
    Path dir = Files.createTempDirectory(options.scratch(), "heap");
    try (JdbcFallbackStore store =
            JdbcFallbackStore.h2(
                FallbackStoreConfig.custom()
                    .directory(dir)
                    .maxRows(10_000_000)
                    .maxBytes(1L << 40)
                    .build());
        ReliableProducer producer =
            ReliableProducer.create(
                ReliableProducerConfig.custom(
                        ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build())
                    .fallbackStore(store)
                    // Replay off: the entries must stay stored while the heap is measured.
                    .replay(ReplayConfig.custom().enabled(false).build())
                    .build())) {
      long empty = usedAfterGc();
      FallbackBench.fill(store, "bench-heap", entries);
      long stored = producer.fallback().orElseThrow().count();
      if (stored != entries) {
        throw new IllegalStateException("stored " + stored + " of " + entries);
      }
      long full = usedAfterGc();
      double mib = 1024.0 * 1024.0;
      double growth = (full - empty) / mib;
      double bodies = entries * (double) SendBench.BODY.length / mib;
      return List.of(
          Figure.of("HEAP producer+store used, empty store", "MiB", List.of(empty / mib)),
          Figure.of("HEAP producer+store used, " + entries + " stored", "MiB", List.of(full / mib)),
          Figure.of(
              "HEAP growth / stored bodies' size (" + entries + ")",
              "ratio",
              List.of(growth / bodies)));
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // Several collections: finalizers and soft references settle over more than one.
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
