package io.reliablemq.spring.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Gauges of the producer, each registered once: {@code reliablemq.fallback.backlog}, {@code
 * reliablemq.fallback.oldest.age} (seconds), {@code reliablemq.fallback.blocked.groups} (FIFO
 * message groups a parked entry blocks; alert on it above 0), tagged {@code store} with the
 * fallback store's name, and {@code reliablemq.circuit.open} (1 when open). Consumers and the
 * transactional sender record their own meters through the registry they are configured with.
 */
public final class ReliableMQMetrics {
  private final List<Meter> meters;

  private ReliableMQMetrics(List<Meter> meters) {
    this.meters = List.copyOf(meters);
  }

  /**
   * Registers the gauges.
   *
   * @param producer the producer
   * @param registry the registry
   * @param storeName the fallback store's name, the {@code store} tag
   * @return the registered gauges
   */
  public static ReliableMQMetrics register(
      ReliableProducer producer, MeterRegistry registry, String storeName) {
    List<Meter> meters = new ArrayList<>();
    producer
        .fallback()
        .ifPresent(
            ops -> {
              Tags tags = Tags.of("store", storeName);
              // Strong references: a gauge holds its object weakly, and fallback() returns a new
              // view each call, so a collected view would turn these gauges into NaN.
              meters.add(
                  Gauge.builder("reliablemq.fallback.backlog", ops, ReliableMQMetrics::backlog)
                      .description("Messages waiting in the fallback store")
                      .tags(tags)
                      .strongReference(true)
                      .register(registry));
              meters.add(
                  Gauge.builder("reliablemq.fallback.oldest.age", ops, ReliableMQMetrics::oldestAge)
                      .description("Age of the oldest message in the fallback store")
                      .baseUnit("seconds")
                      .tags(tags)
                      .strongReference(true)
                      .register(registry));
              meters.add(
                  Gauge.builder(
                          "reliablemq.fallback.blocked.groups",
                          ops,
                          ReliableMQMetrics::blockedGroups)
                      .description(
                          "FIFO message groups a parked entry blocks until an operator unparks or"
                              + " deletes it")
                      .tags(tags)
                      .strongReference(true)
                      .register(registry));
            });
    meters.add(
        Gauge.builder(
                "reliablemq.circuit.open",
                producer,
                p -> p.circuitState() == CircuitState.OPEN ? 1 : 0)
            .description("1 while the circuit in front of the broker is open")
            .strongReference(true)
            .register(registry));
    return new ReliableMQMetrics(meters);
  }

  /**
   * The registered gauges.
   *
   * @return the gauges
   */
  public List<Meter> meters() {
    return meters;
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
