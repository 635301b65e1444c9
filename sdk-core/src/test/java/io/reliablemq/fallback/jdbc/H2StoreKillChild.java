package io.reliablemq.fallback.jdbc;

import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.message.ReliableMessage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child JVM for the H2 store's process tests (not a test itself).
 *
 * <ul>
 *   <li>{@code append <dir> <threads> <idPrefix>}: opens the store, prints {@code READY}, then
 *       appends 1 KiB messages from each thread forever, printing {@code ACK <id>} only after
 *       {@code append} returned. The parent kills it with SIGKILL.
 *   <li>{@code hold <dir>}: opens the store, prints {@code READY} and keeps it open until its stdin
 *       closes.
 *   <li>{@code verify <dir>}: opens the store, prints {@code HELD <id>} for every entry, then
 *       {@code DONE}, and closes it: the reopen after a kill, on the same H2 as the appender.
 * </ul>
 *
 * <p>Every mode first prints {@code H2 <version>}, the H2 it runs on.
 */
public final class H2StoreKillChild {
  private H2StoreKillChild() {}

  /**
   * Runs the child.
   *
   * @param args mode and its arguments, see the class comment
   * @throws Exception on any failure, which the parent sees as a missing READY or early exit
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Path dir = Path.of(args[1]);
    out.println("H2 " + org.h2.engine.Constants.VERSION);
    JdbcFallbackStore store =
        JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(dir).build());
    if ("verify".equals(args[0])) {
      for (StoredEntry e : store.list(0, Integer.MAX_VALUE)) {
        out.println("HELD " + e.id());
      }
      store.close();
      out.println("DONE");
      return;
    }
    if ("hold".equals(args[0])) {
      out.println("READY");
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
      store.close();
      return;
    }
    int threads = Integer.parseInt(args[2]);
    String prefix = args[3];
    out.println("READY");
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers[t] =
          new Thread(
              () -> {
                byte[] body = new byte[1024];
                for (long i = 0; ; i++) {
                  String id = prefix + "-" + thread + "-" + i;
                  store.append(
                      ReliableMessage.builder("kill-test")
                          .id(id)
                          .body(body)
                          .messageGroup(i % 3 == 0 ? "g" + thread : null)
                          .build(),
                      false);
                  // Only now is the message acknowledged.
                  synchronized (out) {
                    out.println("ACK " + id);
                  }
                }
              },
              "appender-" + t);
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
  }
}
