package io.reliablemq.spring.actuate;

import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.internal.HealthReport;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of ReliableMQ. {@code UP}: the fallback store is empty, the circuit closed and every
 * listener running. {@link #DEGRADED}: messages wait in the store (details {@code backlog}, {@code
 * parked}, {@code oldestAgeSeconds}), the circuit is open, or a listener has not started (detail
 * {@code listenersWaitingForBroker}: those whose consumer waits for a broker it could not reach at
 * start and connects by itself once it answers); nothing is lost, delivery is late. A FIFO message
 * group whose entry is parked cannot drain until an operator unparks or deletes that entry: details
 * {@code blockedGroupCount} and {@code blockedGroups} (up to {@link #MAX_BLOCKED_GROUPS_NAMED}:
 * topic, group, the parked entry's id and error, entries waiting behind it) name those groups.
 * {@code DOWN}: the circuit is open and there is nowhere to keep sends (no store, the store cannot
 * be read, or it is full).
 *
 * <p>Spring Boot does not know {@code DEGRADED}: to have it rank between DOWN and UP set {@code
 * management.endpoint.health.status.order=DOWN,OUT_OF_SERVICE,DEGRADED,UNKNOWN,UP}.
 */
public class ReliableMQHealthIndicator extends AbstractHealthIndicator {
  /** Working, but messages wait in the fallback store or a listener is not running. */
  public static final Status DEGRADED =
      new Status(
          HealthReport.DEGRADED,
          "messages wait in the fallback store or a listener is not running");

  /** Most blocked message groups named in the details. */
  public static final int MAX_BLOCKED_GROUPS_NAMED = HealthReport.MAX_BLOCKED_GROUPS_NAMED;

  private final ReliableProducer producer;
  private final ReliableListenerRegistry listeners;
  private final long storeCapacity;

  /**
   * Creates the indicator.
   *
   * @param producer the producer
   * @param listeners the listener registry, or null
   * @param storeCapacity most entries the fallback store holds
   */
  public ReliableMQHealthIndicator(
      ReliableProducer producer, ReliableListenerRegistry listeners, long storeCapacity) {
    super("ReliableMQ health check failed");
    this.producer = producer;
    this.listeners = listeners;
    this.storeCapacity = storeCapacity;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    HealthReport report = HealthReport.of(producer, listeners, storeCapacity);
    builder.withDetails(report.details());
    switch (report.status()) {
      case HealthReport.DOWN -> builder.down();
      case HealthReport.DEGRADED -> builder.status(DEGRADED);
      default -> builder.up();
    }
  }
}
