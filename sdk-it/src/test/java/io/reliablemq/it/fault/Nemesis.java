package io.reliablemq.it.fault;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Injects faults at random moments from a seeded {@link Random}, in the manner of Jepsen's nemesis:
 * SIGKILL, SIGSTOP/SIGCONT and restart of the broker, the producer and the consumer. Every fault is
 * healed before the next one starts, and recorded in the run, so a test can assert it happened.
 */
final class Nemesis {
  /** What can go wrong. */
  enum Fault {
    /** SIGKILL the broker, restart it after up to 1.5 s. */
    BROKER_KILL,
    /** SIGKILL the broker, keep it down while the producer stores, then restart it. */
    BROKER_OUTAGE,
    /** SIGSTOP the broker for 1 to 4 s (a hung broker: connections open, nothing answers). */
    BROKER_PAUSE,
    /** During an outage, SIGKILL the producer while it stores, restart it, then the broker. */
    PRODUCER_KILL_IN_OUTAGE,
    /** SIGKILL the producer at a random moment and start it again. */
    PRODUCER_KILL,
    /** SIGSTOP the producer for 1 to 3 s. */
    PRODUCER_PAUSE,
    /** SIGKILL the consumer while it commits, start it again after up to 2 s. */
    CONSUMER_KILL,
    /** SIGSTOP the consumer for 1 to 3 s (its leases and invisibility run out meanwhile). */
    CONSUMER_PAUSE
  }

  private static final Duration PROGRESS = Duration.ofSeconds(60);

  private final Random random;
  private final FaultRun run;
  private final Map<Fault, Integer> done = new EnumMap<>(Fault.class);
  private final long started = System.nanoTime();

  Nemesis(Random random, FaultRun run) {
    this.random = random;
    this.run = run;
  }

  /**
   * Injects {@code rounds} faults drawn from {@code menu}, each after a random gap.
   *
   * @param menu the faults to draw from
   * @param rounds how many
   * @param maxGapMs the longest quiet time before a fault
   */
  void unleash(List<Fault> menu, int rounds, int maxGapMs) {
    for (int i = 0; i < rounds; i++) {
      // At least 1.5 s: longer than the broker's consumer-offset flush interval (1 s here).
      FaultRun.sleep(1500 + random.nextInt(maxGapMs + 1));
      Fault f = menu.get(random.nextInt(menu.size()));
      inject(f);
      done.merge(f, 1, Integer::sum);
    }
  }

  /**
   * Injects every fault of {@code faults} once, in an order shuffled by the seeded source, each
   * after a random gap.
   *
   * @param faults the faults
   * @param maxGapMs the longest extra quiet time before a fault
   */
  void unleashEach(List<Fault> faults, int maxGapMs) {
    List<Fault> order = new java.util.ArrayList<>(faults);
    java.util.Collections.shuffle(order, random);
    for (Fault f : order) {
      unleash(List.of(f), 1, maxGapMs);
    }
  }

  Map<Fault, Integer> done() {
    return done;
  }

  private void inject(Fault f) {
    run.fault(f + "@" + (System.nanoTime() - started) / 100_000_000 / 10.0 + "s");
    switch (f) {
      case BROKER_KILL -> {
        run.broker().kill();
        FaultRun.sleep(random.nextInt(1500));
        run.brokerUp();
      }
      case BROKER_OUTAGE -> {
        run.broker().kill();
        run.awaitProducerProgress(100, PROGRESS);
        FaultRun.sleep(1000 + random.nextInt(2000));
        run.brokerUp();
      }
      case BROKER_PAUSE -> {
        run.broker().pause();
        FaultRun.sleep(1000 + random.nextInt(3000));
        run.broker().resume();
      }
      case PRODUCER_KILL_IN_OUTAGE -> {
        run.broker().kill();
        run.awaitProducerProgress(50 + random.nextInt(200), PROGRESS);
        run.producer().kill();
        run.startProducer();
        run.awaitProducerProgress(50, PROGRESS);
        run.brokerUp();
      }
      case PRODUCER_KILL -> {
        run.awaitProducerProgress(random.nextInt(100), PROGRESS);
        run.producer().kill();
        run.startProducer();
      }
      case PRODUCER_PAUSE -> {
        run.producer().pause();
        FaultRun.sleep(1000 + random.nextInt(2000));
        run.producer().resume();
      }
      case CONSUMER_KILL -> {
        // Mid-batch: only once rows are being committed; a bounded wait, then kill regardless.
        run.awaitConsumerProgress(1 + random.nextInt(50), PROGRESS);
        run.killConsumer();
        FaultRun.sleep(random.nextInt(2000));
        run.startConsumer();
      }
      case CONSUMER_PAUSE -> {
        run.consumer().pause();
        FaultRun.sleep(1000 + random.nextInt(2000));
        run.consumer().resume();
      }
    }
  }
}
