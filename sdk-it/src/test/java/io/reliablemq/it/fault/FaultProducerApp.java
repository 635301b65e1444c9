package io.reliablemq.it.fault;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The producer application of the fault suite. Each sender thread {@code t} sends messages {@code
 * 0..perThread-1}; even indexes go to the normal topic, odd ones to the FIFO topic in message group
 * {@code g<t>}, so the index is the group's sequence. Every acknowledged send goes to the {@link
 * AckLog} after {@code send} returned. On start it reads the log and resumes each thread after its
 * last acknowledged index, so a restarted producer continues where the killed one stopped, and its
 * replayer drains what the killed one stored. Prints {@code READY}, {@code DONE} when every thread
 * has sent, and {@code DRAINED} once the fallback store is empty after that.
 *
 * <p>Arguments: store directory, ack log, endpoints, normal topic, FIFO topic, threads, messages
 * per thread, pause between sends of one thread in ms.
 */
public final class FaultProducerApp {
  private FaultProducerApp() {}

  /**
   * Runs until killed.
   *
   * @param args see the class comment
   * @throws Exception on set-up failure
   */
  public static void main(String[] args) throws Exception {
    io.reliablemq.it.support.ChildJvm.exitWithParent();
    Path storeDir = Path.of(args[0]);
    Path ackFile = Path.of(args[1]);
    String endpoints = args[2];
    String normalTopic = args[3];
    String fifoTopic = args[4];
    int threads = Integer.parseInt(args[5]);
    long perThread = Long.parseLong(args[6]);
    long pauseMs = Long.parseLong(args[7]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    long[] next = new long[threads];
    for (AckLog.Ack a : AckLog.read(ackFile)) {
      next[a.thread()] = Math.max(next[a.thread()], a.index() + 1);
    }
    JdbcFallbackStore store =
        JdbcFallbackStore.h2(
            FallbackStoreConfig.custom().directory(storeDir).maxRows(10_000_000).build());
    ReliableProducer producer = ReliableProducer.create(config(endpoints, store));
    AckLog log = new AckLog(ackFile);
    out.println("READY");
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      long from = next[t];
      Thread worker =
          new Thread(
              () -> {
                for (long i = from; i < perThread; ) {
                  boolean fifo = i % 2 == 1;
                  String group = fifo ? "g" + thread : null;
                  SendOutcome o;
                  long t0 = System.nanoTime();
                  try {
                    o =
                        producer.send(
                            ReliableMessage.builder(fifo ? fifoTopic : normalTopic)
                                .body("t" + thread + "-" + i)
                                .messageGroup(group)
                                .build());
                  } catch (RuntimeException e) {
                    // Not acknowledged, so not owed: send this index again as a new message.
                    synchronized (out) {
                      out.println(
                          "SEND-FAILED "
                              + e.getClass().getSimpleName()
                              + " "
                              + System.currentTimeMillis());
                    }
                    pace(Math.max(pauseMs, 100));
                    continue;
                  }
                  log.append(
                      new AckLog.Ack(
                          o.reliableId(),
                          o.status().name(),
                          thread,
                          i,
                          group,
                          System.currentTimeMillis(),
                          (System.nanoTime() - t0) / 1000));
                  i++;
                  pace(pauseMs);
                }
              },
              "sender-" + t);
      worker.start();
      workers.add(worker);
    }
    for (Thread w : workers) {
      w.join();
    }
    out.println("DONE");
    while (store.count() > 0) {
      TimeUnit.MILLISECONDS.sleep(200);
    }
    out.println("DRAINED");
    new java.util.concurrent.CountDownLatch(1).await();
  }

  /** Load shaping, so the sends span the faults instead of finishing before the first one. */
  private static void pace(long ms) {
    if (ms <= 0) {
      return;
    }
    try {
      TimeUnit.MILLISECONDS.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ReliableProducerConfig config(String endpoints, JdbcFallbackStore store) {
    return ReliableProducerConfig.custom(
            ClientSettings.custom()
                .endpoints(endpoints)
                .sslEnabled(false)
                .requestTimeout(Duration.ofSeconds(1))
                .build())
        .retry(
            SendRetryConfig.custom()
                .maxAttempts(2)
                .initialBackoff(Duration.ofMillis(50))
                .maxBackoff(Duration.ofMillis(200))
                .totalDeadline(Duration.ofSeconds(3))
                .build())
        .circuit(
            CircuitConfig.custom()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(4)
                .waitInOpenState(Duration.ofSeconds(1))
                .build())
        .fallbackStore(store)
        .replay(
            ReplayConfig.custom()
                .idlePoll(Duration.ofMillis(200))
                .initialBackoff(Duration.ofMillis(200))
                .maxBackoff(Duration.ofSeconds(1))
                .build())
        .build();
  }
}
