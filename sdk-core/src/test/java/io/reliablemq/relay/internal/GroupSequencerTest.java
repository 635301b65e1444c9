package io.reliablemq.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class GroupSequencerTest {
  private final GroupSequencer sequencer = new GroupSequencer();
  private final List<String> started = Collections.synchronizedList(new ArrayList<>());
  private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, CompletableFuture<Boolean>> pending = new HashMap<>();

  private GroupSequencer.Step step(String name) {
    return new GroupSequencer.Step() {
      @Override
      public CompletionStage<Boolean> run() {
        started.add(name);
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        pending.put(name, f);
        return f;
      }

      @Override
      public void skip() {
        skipped.add(name);
      }
    };
  }

  @Test
  void stepsOfOneGroup_runOneAtATimeInOrder() {
    sequencer.submit("g", step("g1"));
    sequencer.submit("g", step("g2"));
    sequencer.submit("g", step("g3"));
    assertThat(started).containsExactly("g1");

    pending.get("g1").complete(true);
    assertThat(started).containsExactly("g1", "g2");
    pending.get("g2").complete(true);
    pending.get("g3").complete(true);
    assertThat(started).containsExactly("g1", "g2", "g3");
    assertThat(sequencer.activeGroups()).isZero();
  }

  @Test
  void differentGroupsAndUngroupedSteps_runConcurrently() {
    sequencer.submit("a", step("a1"));
    sequencer.submit("b", step("b1"));
    sequencer.submit(null, step("n1"));
    sequencer.submit(null, step("n2"));
    sequencer.submit("a", step("a2"));

    assertThat(started).containsExactly("a1", "b1", "n1", "n2");
    assertThat(sequencer.activeGroups()).isEqualTo(2);
  }

  @Test
  void failureOfAStep_skipsTheRestOfItsGroupOnly() {
    sequencer.submit("a", step("a1"));
    sequencer.submit("a", step("a2"));
    sequencer.submit("a", step("a3"));
    sequencer.submit("b", step("b1"));
    sequencer.submit("b", step("b2"));

    pending.get("a1").complete(false);
    pending.get("b1").complete(true);

    assertThat(skipped).containsExactly("a2", "a3");
    assertThat(started).containsExactly("a1", "b1", "b2");
    // The failed group starts afresh: its next message (a redelivery) runs at once.
    sequencer.submit("a", step("a1-again"));
    assertThat(started).endsWith("a1-again");
  }

  @Test
  void exceptionalCompletionOrThrowingStep_countsAsFailure() {
    sequencer.submit("a", step("a1"));
    sequencer.submit("a", step("a2"));
    pending.get("a1").completeExceptionally(new IllegalStateException("broker said no"));
    assertThat(skipped).containsExactly("a2");

    sequencer.submit("c", step("c1"));
    sequencer.submit(
        "c",
        new GroupSequencer.Step() {
          @Override
          public CompletionStage<Boolean> run() {
            throw new IllegalStateException("boom");
          }

          @Override
          public void skip() {
            skipped.add("never");
          }
        });
    sequencer.submit("c", step("c3"));
    pending.get("c1").complete(true);
    assertThat(started).doesNotContain("c3");
    assertThat(skipped).containsExactly("a2", "c3");
    assertThat(sequencer.activeGroups()).isZero();
  }

  @Test
  void longChainOfSynchronouslyCompletingSteps_doesNotOverflowTheStack() {
    List<Integer> order = new ArrayList<>();
    GroupSequencer.Step blocker = step("first");
    sequencer.submit("g", blocker);
    for (int i = 0; i < 100_000; i++) {
      int n = i;
      sequencer.submit(
          "g",
          new GroupSequencer.Step() {
            @Override
            public CompletionStage<Boolean> run() {
              order.add(n);
              return CompletableFuture.completedFuture(true);
            }

            @Override
            public void skip() {}
          });
    }
    pending.get("first").complete(true);
    assertThat(order).hasSize(100_000).isSorted();
    assertThat(sequencer.activeGroups()).isZero();
  }
}
