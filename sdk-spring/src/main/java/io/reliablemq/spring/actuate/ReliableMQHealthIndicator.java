package io.reliablemq.spring.actuate;

import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.listener.ListenerStatus;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * Health of ReliableMQ. {@code UP}: the fallback store is empty, the circuit closed (or half open:
 * probing a broker that answers again; the producer moves it there by itself, and a replayed entry
 * closes it, so an application that sends nothing after an outage still recovers) and every
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
      new Status("DEGRADED", "messages wait in the fallback store or a listener is not running");

  /** Most blocked message groups named in the details. */
  public static final int MAX_BLOCKED_GROUPS_NAMED = 10;

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
    String circuit = producer.circuitState();
    boolean open = "OPEN".equals(circuit);
    builder.withDetail("circuit", circuit);
    boolean degraded = open;
    boolean nowhereToStore = false;
    Optional<FallbackOperations> fallback = producer.fallback();
    if (fallback.isEmpty()) {
      builder.withDetail("fallbackStore", "none");
      nowhereToStore = true;
    } else {
      try {
        FallbackOperations ops = fallback.get();
        long backlog = ops.count();
        long parked = ops.count(EntryState.PARKED);
        builder.withDetail("backlog", backlog).withDetail("parked", parked);
        ops.oldestAge()
            .map(Duration::toSeconds)
            .ifPresent(s -> builder.withDetail("oldestAgeSeconds", s));
        long blocked = ops.countBlockedGroups();
        builder.withDetail("blockedGroupCount", blocked);
        if (blocked > 0) {
          builder.withDetail(
              "blockedGroups",
              ops.blockedGroups(MAX_BLOCKED_GROUPS_NAMED).stream()
                  .map(ReliableMQEndpoint::toMap)
                  .toList());
        }
        degraded |= backlog > 0 || blocked > 0;
        nowhereToStore = backlog >= storeCapacity;
      } catch (RuntimeException e) {
        builder.withDetail("fallbackStore", "unavailable: " + e.getClass().getSimpleName());
        nowhereToStore = true;
      }
    }
    if (listeners != null) {
      List<ListenerStatus> statuses = listeners.statuses();
      long notRunning = statuses.stream().filter(s -> !s.running()).count();
      long waiting = statuses.stream().filter(ListenerStatus::waitingForBroker).count();
      builder
          .withDetail("listeners", statuses.size())
          .withDetail("listenersNotRunning", notRunning)
          .withDetail("listenersWaitingForBroker", waiting);
      degraded |= listeners.isRunning() && notRunning > 0;
    }
    if (open && nowhereToStore) {
      builder.down();
    } else if (degraded) {
      builder.status(DEGRADED);
    } else {
      builder.up();
    }
  }
}
