package io.reliablemq.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.it.fault.Nemesis.Fault;
import io.reliablemq.test.EmbeddedRocketMQ;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-loss fault suite: for each scenario a producer and a consumer application run in child
 * JVMs against one broker of the class's own, a seeded {@link Nemesis} breaks things while they
 * work, and the {@link Checker} must find nothing lost, nothing processed twice and no FIFO group
 * out of order. The seed is printed; {@code -Dfault.seed=<seed>} replays the fault plan.
 */
class ZeroLossFaultIT {
  private static final long SEED = Long.getLong("fault.seed", System.nanoTime());
  private static final Duration DRAIN = Duration.ofSeconds(120);
  private static final Duration CONSUME = Duration.ofSeconds(120);
  private static final FaultRun.Load LOAD = new FaultRun.Load(4, 120, 60);

  private static EmbeddedRocketMQ mq;

  @TempDir Path work;

  @BeforeAll
  static void startBroker() {
    System.out.println("ZeroLossFaultIT seed " + SEED + " (replay with -Dfault.seed=" + SEED + ")");
    mq = broker();
  }

  /**
   * A broker whose proxy hands out 15 s of invisibility instead of 60 s (it renews them for live
   * consumers): what a consumer held when the stack was SIGKILLed comes back 15 s later, which
   * keeps the suite within its time budget.
   */
  static EmbeddedRocketMQ broker() {
    return EmbeddedRocketMQ.builder()
        .proxyProperty("defaultInvisibleTimeMills", "15000")
        .brokerProperty("flushConsumerOffsetInterval", "1000")
        .build()
        .start();
  }

  @AfterAll
  static void stopBroker() {
    if (mq != null) {
      mq.close();
    }
  }

  @Test
  void nothingLostOrDuplicated_whenTheBrokerIsKilledInALoop() throws Exception {
    check("broker-kill-loop", 1, List.of(Fault.BROKER_KILL), 3, 1500);
  }

  @Test
  void nothingLostOrDuplicated_acrossAFullOutageAndRecovery() throws Exception {
    check("full-outage", 2, List.of(Fault.BROKER_OUTAGE), 1, 1000);
  }

  @Test
  void replayResumesFromTheStore_whenTheProducerIsKilledDuringTheOutage() throws Exception {
    check("producer-kill-in-outage", 3, List.of(Fault.PRODUCER_KILL_IN_OUTAGE), 1, 1000);
  }

  @Test
  void nothingProcessedTwice_whenTheConsumerIsKilledMidBatch() throws Exception {
    check("consumer-kill", 4, List.of(Fault.CONSUMER_KILL), 2, 1000);
  }

  @Test
  void nothingLostOrDuplicated_whenEverythingFailsAtOnce() throws Exception {
    // One of each kind against each process, in a seeded random order, with short gaps.
    check(
        "all-at-once",
        5,
        List.of(
            Fault.BROKER_KILL,
            Fault.BROKER_PAUSE,
            Fault.PRODUCER_KILL,
            Fault.PRODUCER_PAUSE,
            Fault.CONSUMER_KILL,
            Fault.CONSUMER_PAUSE),
        -1,
        500);
  }

  /** {@code rounds} faults drawn from {@code menu}; with {@code rounds < 0}, each of menu once. */
  private void check(String scenario, int salt, List<Fault> menu, int rounds, int maxGapMs)
      throws Exception {
    Random random = new Random(SEED * 31 + salt);
    long t0 = System.nanoTime();
    Checker.Reconciliation r;
    Nemesis nemesis;
    try (FaultRun run = new FaultRun(scenario, SEED, mq, work.resolve(scenario), LOAD)) {
      run.start();
      nemesis = new Nemesis(random, run);
      if (rounds < 0) {
        nemesis.unleashEach(menu, maxGapMs);
      } else {
        nemesis.unleash(menu, rounds, maxGapMs);
      }
      r = run.finish(DRAIN, CONSUME);
    }
    long seconds = (System.nanoTime() - t0) / 1_000_000_000;
    System.out.printf("FAULT %s took %d s%n", scenario, seconds);
    // Before the assertions, so a failed scenario leaves its figures too.
    r.writeJson(Path.of("target", "fault-results"), seconds);
    assertThat(nemesis.done().values().stream().mapToInt(Integer::intValue).sum())
        .as("faults injected")
        .isEqualTo(rounds < 0 ? menu.size() : rounds);
    assertThat(r.acknowledged()).as("acknowledged").isGreaterThan(0);
    if (menu.contains(Fault.BROKER_OUTAGE) || menu.contains(Fault.PRODUCER_KILL_IN_OUTAGE)) {
      assertThat(r.stored()).as("acknowledged as STORED during the outage").isGreaterThan(0);
    }
    assertThat(r.lost()).as("lost, e.g. %s; %s", r.lostSample(), r.summary()).isZero();
    assertThat(r.duplicated()).as("duplicated; %s", r.summary()).isZero();
    assertThat(r.outOfOrder()).as("out of order; %s", r.summary()).isZero();
  }
}
