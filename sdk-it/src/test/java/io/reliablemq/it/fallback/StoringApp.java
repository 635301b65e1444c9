package io.reliablemq.it.fallback;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The application that {@link AppKillIT} kills: sends through {@link ReliableProducer} with an H2
 * fallback store while nothing listens at the endpoint, and prints {@code ACK <id> <status>} only
 * after {@code send} returned.
 *
 * <p>Arguments: store directory, endpoints, threads.
 */
public final class StoringApp {
  private StoringApp() {}

  /**
   * Runs until killed.
   *
   * @param args store directory, endpoints, threads
   */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    String endpoints = args[1];
    int threads = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    FallbackStore store = FallbackFixtures.h2Store(dir, 10_000_000);
    ReliableProducer producer = FallbackFixtures.producer(endpoints, store);
    out.println("READY");
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker =
          new Thread(
              () -> {
                for (long i = 0; ; i++) {
                  SendOutcome o =
                      producer.send(
                          ReliableMessage.builder("orders")
                              .body("t" + thread + "-" + i)
                              .messageGroup(i % 2 == 0 ? null : "g" + thread)
                              .build());
                  synchronized (out) {
                    out.println("ACK " + o.reliableId() + " " + o.status());
                  }
                }
              },
              "sender-" + t);
      worker.start();
    }
  }
}
