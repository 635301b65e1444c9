package io.reliablemq.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.EntrySummary;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class ReliableMQHealthIndicatorTest {

  @Test
  void emptyStore_closedCircuit_isUp() {
    Health h = health(new Ops(0, null, false), "CLOSED", 100);
    assertThat(h.getStatus()).isEqualTo(Status.UP);
    assertThat(h.getDetails()).containsEntry("backlog", 0L);
  }

  @Test
  void backlog_isDegraded_withItsSizeAndOldestAge() {
    Health h = health(new Ops(3, Duration.ofSeconds(42), false), "CLOSED", 100);
    assertThat(h.getStatus()).isEqualTo(ReliableMQHealthIndicator.DEGRADED);
    assertThat(h.getDetails()).containsEntry("backlog", 3L).containsEntry("oldestAgeSeconds", 42L);
  }

  @Test
  void openCircuit_withRoomInTheStore_isDegraded() {
    assertThat(health(new Ops(1, Duration.ZERO, false), "OPEN", 100).getStatus())
        .isEqualTo(ReliableMQHealthIndicator.DEGRADED);
  }

  @Test
  void openCircuit_withAFullStore_isDown() {
    assertThat(health(new Ops(100, Duration.ofMinutes(5), false), "OPEN", 100).getStatus())
        .isEqualTo(Status.DOWN);
  }

  @Test
  void openCircuit_withAClosedStore_isDown() {
    Health h = health(new Ops(0, null, true), "OPEN", 100);
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat(h.getDetails().get("fallbackStore").toString()).startsWith("unavailable");
  }

  @Test
  void openCircuit_withoutAStore_isDown() {
    assertThat(health(null, "OPEN", 100).getStatus()).isEqualTo(Status.DOWN);
  }

  private static Health health(Ops ops, String circuit, long capacity) {
    return new ReliableMQHealthIndicator(new Producer(ops, circuit), null, capacity).health();
  }

  private record Producer(FallbackOperations ops, String circuit) implements ReliableProducer {
    @Override
    public SendOutcome send(ReliableMessage message) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<SendOutcome> sendAsync(ReliableMessage message) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<FallbackOperations> fallback() {
      return Optional.ofNullable(ops);
    }

    @Override
    public CircuitState circuitState() {
      return CircuitState.valueOf(circuit);
    }

    @Override
    public void close() {}
  }

  private record Ops(long count, Duration oldest, boolean closed) implements FallbackOperations {
    @Override
    public long count() {
      if (closed) {
        throw new IllegalStateException("store closed");
      }
      return count;
    }

    @Override
    public long count(EntryState state) {
      return state == EntryState.PENDING ? count() : 0;
    }

    @Override
    public Optional<Duration> oldestAge() {
      return Optional.ofNullable(oldest);
    }

    @Override
    public List<EntrySummary> list(long offset, int limit) {
      return List.of();
    }

    @Override
    public List<BlockedGroup> blockedGroups(int limit) {
      return List.of();
    }

    @Override
    public long countBlockedGroups() {
      return 0;
    }

    @Override
    public void replayNow() {}

    @Override
    public boolean unpark(String id) {
      return false;
    }

    @Override
    public boolean delete(String id) {
      return false;
    }
  }
}
