package io.reliablemq.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.it.fault.Nemesis.Fault;
import io.reliablemq.test.EmbeddedRocketMQ;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak: 100k+ messages under a long random fault plan drawn from every {@link Fault}. Not in
 * the default build (it takes many minutes); run it with {@code -Psoak}, which sets {@code
 * fault.soak=true}. Size and faults: {@code -Dfault.soak.perThread}, {@code -Dfault.soak.rounds}.
 */
@EnabledIfSystemProperty(
    named = "fault.soak",
    matches = "true",
    disabledReason = "long-running; run with -Psoak")
class ZeroLossSoakIT {
  @TempDir Path work;

  @Test
  void nothingLostOrDuplicated_over100kMessagesAndManyFaults() throws Exception {
    long seed = Long.getLong("fault.seed", System.nanoTime());
    System.out.println("ZeroLossSoakIT seed " + seed + " (replay with -Dfault.seed=" + seed + ")");
    FaultRun.Load load = new FaultRun.Load(8, Long.getLong("fault.soak.perThread", 12_600), 1);
    int rounds = Integer.getInteger("fault.soak.rounds", 10);
    long t0 = System.nanoTime();
    Checker.Reconciliation r;
    Nemesis nemesis;
    try (EmbeddedRocketMQ mq = ZeroLossFaultIT.broker();
        FaultRun run = new FaultRun("soak", seed, mq, work.resolve("soak"), load)) {
      run.start();
      nemesis = new Nemesis(new Random(seed), run);
      nemesis.unleash(List.of(Fault.values()), rounds, 5000);
      r = run.finish(Duration.ofMinutes(30), Duration.ofMinutes(30));
    }
    System.out.printf(
        "FAULT soak took %d s, faults by kind %s%n",
        (System.nanoTime() - t0) / 1_000_000_000, nemesis.done());
    assertThat(r.acknowledged()).as("acknowledged").isGreaterThanOrEqualTo(100_000);
    assertThat(nemesis.done().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(rounds);
    assertThat(r.lost()).as("lost, e.g. %s; %s", r.lostSample(), r.summary()).isZero();
    assertThat(r.duplicated()).as("duplicated; %s", r.summary()).isZero();
    assertThat(r.outOfOrder()).as("out of order; %s", r.summary()).isZero();
  }
}
