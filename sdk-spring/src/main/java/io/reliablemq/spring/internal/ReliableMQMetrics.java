package io.reliablemq.spring.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.producer.ReliableProducer;
import java.time.Duration;

/**
 * Gauges of the producer: {@code reliablemq.fallback.backlog}, {@code
 * reliablemq.fallback.oldest.age} (seconds), {@code reliablemq.fallback.blocked.groups} (FIFO
 * message groups a parked entry blocks; alert on it above 0) and {@code reliablemq.circuit.open} (1
 * when open). Consumers record their own metrics through the registry they are configured with.
 */
public final class ReliableMQMetrics implements MeterBinder {
  private final ReliableProducer producer;

  /**
   * Creates the binder.
   *
   * @param producer the producer
   */
  public ReliableMQMetrics(ReliableProducer producer) {
    this.producer = producer;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    producer
        .fallback()
        .ifPresent(
            ops -> {
              // Strong references: a gauge holds its object weakly, and fallback() returns a new
              // view each call, so a collected view would turn these gauges into NaN.
              Gauge.builder("reliablemq.fallback.backlog", ops, ReliableMQMetrics::backlog)
                  .description("Messages waiting in the fallback store")
                  .strongReference(true)
                  .register(registry);
              Gauge.builder("reliablemq.fallback.oldest.age", ops, ReliableMQMetrics::oldestAge)
                  .description("Age of the oldest message in the fallback store")
                  .baseUnit("seconds")
                  .strongReference(true)
                  .register(registry);
              Gauge.builder(
                      "reliablemq.fallback.blocked.groups", ops, ReliableMQMetrics::blockedGroups)
                  .description(
                      "FIFO message groups a parked entry blocks until an operator unparks or"
                          + " deletes it")
                  .strongReference(true)
                  .register(registry);
            });
    Gauge.builder("reliablemq.circuit.open", producer, p -> "OPEN".equals(p.circuitState()) ? 1 : 0)
        .description("1 while the circuit in front of the broker is open")
        .register(registry);
  }

  private static double backlog(FallbackOperations ops) {
    try {
      return ops.count();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double blockedGroups(FallbackOperations ops) {
    try {
      return ops.countBlockedGroups();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double oldestAge(FallbackOperations ops) {
    try {
      return ops.oldestAge().map(Duration::toMillis).orElse(0L) / 1000.0;
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }
}
