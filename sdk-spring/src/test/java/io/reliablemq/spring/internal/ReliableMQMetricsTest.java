package io.reliablemq.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

class ReliableMQMetricsTest {

  @Test
  void fallbackGauges_keepTheirValues_afterTheOperationsViewIsNoLongerReferenced() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // Like ReliableProducerImpl: fallback() hands out a fresh view on every call.
    ReliableProducer producer = new Producer();
    ReliableMQMetrics.register(producer, registry, "fallback");

    // A gauge built on a weakly held view reads NaN once the view is collected.
    for (int i = 0; i < 3; i++) {
      System.gc();
    }

    assertThat(registry.get("reliablemq.fallback.backlog").gauge().value()).isEqualTo(7.0);
    assertThat(registry.get("reliablemq.fallback.oldest.age").gauge().value()).isEqualTo(42.0);
    assertThat(registry.get("reliablemq.fallback.blocked.groups").gauge().value()).isEqualTo(2.0);
  }

  private static final class Producer implements ReliableProducer {
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
      return Optional.of(new Ops());
    }

    @Override
    public CircuitState circuitState() {
      return CircuitState.CLOSED;
    }

    @Override
    public void close() {}
  }

  private static final class Ops implements FallbackOperations {
    @Override
    public long count() {
      return 7;
    }

    @Override
    public long count(EntryState state) {
      return state == EntryState.PARKED ? 2 : 5;
    }

    @Override
    public Optional<Duration> oldestAge() {
      return Optional.of(Duration.ofSeconds(42));
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
      return 2;
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
