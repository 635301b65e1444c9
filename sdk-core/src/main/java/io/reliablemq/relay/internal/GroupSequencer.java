package io.reliablemq.relay.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs steps so that those of one message group run strictly one after another in submission order,
 * while steps of different groups (and steps without a group) run concurrently. When a step of a
 * group fails, the steps of that group still waiting are skipped rather than run: a later message
 * must not overtake an earlier one that will be delivered again.
 */
final class GroupSequencer {

  /** One unit of work. */
  interface Step {
    /**
     * Starts the work.
     *
     * @return completes with true on success; false or an exceptional completion is a failure
     */
    CompletionStage<Boolean> run();

    /** Called instead of {@link #run()} when an earlier step of the group failed. */
    void skip();
  }

  private final Map<String, ArrayDeque<Step>> waiting = new HashMap<>();

  /**
   * Submits a step.
   *
   * @param group the message group, or null for a step that needs no order
   * @param step the step
   */
  void submit(String group, Step step) {
    if (group != null) {
      synchronized (this) {
        ArrayDeque<Step> queue = waiting.get(group);
        if (queue != null) {
          queue.add(step);
          return;
        }
        // An empty queue marks the group as having one step in flight.
        waiting.put(group, new ArrayDeque<>());
      }
    }
    start(group, step);
  }

  /**
   * The groups with a step in flight or waiting.
   *
   * @return the count
   */
  synchronized int activeGroups() {
    return waiting.size();
  }

  private void start(String group, Step step) {
    // A loop rather than recursion: a long chain of steps completing synchronously would
    // otherwise grow the stack by one frame per message.
    Step current = step;
    while (current != null) {
      CompletionStage<Boolean> stage;
      try {
        stage = current.run();
      } catch (RuntimeException e) {
        stage = CompletableFuture.completedFuture(false);
      }
      CompletableFuture<Boolean> f = stage.toCompletableFuture();
      if (!f.isDone()) {
        f.whenComplete((ok, e) -> start(group, next(group, Boolean.TRUE.equals(ok) && e == null)));
        return;
      }
      boolean ok = !f.isCompletedExceptionally() && Boolean.TRUE.equals(f.getNow(false));
      current = next(group, ok);
    }
  }

  private Step next(String group, boolean ok) {
    if (group == null) {
      return null;
    }
    List<Step> skipped;
    synchronized (this) {
      ArrayDeque<Step> queue = waiting.get(group);
      if (ok) {
        Step next = queue.poll();
        if (next == null) {
          waiting.remove(group);
        }
        return next;
      }
      skipped = new ArrayList<>(queue);
      waiting.remove(group);
    }
    skipped.forEach(Step::skip);
    return null;
  }
}
