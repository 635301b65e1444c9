package io.reliablemq.spring.internal;

import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.actuate.ReliableMQEndpoint;
import io.reliablemq.spring.listener.ListenerStatus;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the health indicator of either starter reports, computed without Boot's health types (they
 * moved between Boot 3.5 and 4): a status and its details.
 *
 * @param status {@link #UP}, {@link #DEGRADED} or {@link #DOWN}
 * @param details the details, in order
 */
public record HealthReport(String status, Map<String, Object> details) {
  /** Everything works. */
  public static final String UP = "UP";

  /** Working, but messages wait in the fallback store or a listener is not running. */
  public static final String DEGRADED = "DEGRADED";

  /** The circuit is open and there is nowhere to keep sends. */
  public static final String DOWN = "DOWN";

  /** Most blocked message groups named in the details. */
  public static final int MAX_BLOCKED_GROUPS_NAMED = 10;

  /** Keeps the details as given, read-only. */
  public HealthReport {
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /**
   * The health of a producer and its listeners.
   *
   * @param producer the producer
   * @param listeners the listener registry, or null
   * @param storeCapacity most entries the fallback store holds
   * @return the report
   */
  public static HealthReport of(
      ReliableProducer producer, ReliableListenerRegistry listeners, long storeCapacity) {
    Map<String, Object> details = new LinkedHashMap<>();
    CircuitState circuit = producer.circuitState();
    boolean open = circuit == CircuitState.OPEN;
    details.put("circuit", circuit.name());
    boolean degraded = open;
    boolean nowhereToStore = false;
    Optional<FallbackOperations> fallback = producer.fallback();
    if (fallback.isEmpty()) {
      details.put("fallbackStore", "none");
      nowhereToStore = true;
    } else {
      try {
        FallbackOperations ops = fallback.get();
        long backlog = ops.count();
        details.put("backlog", backlog);
        details.put("parked", ops.count(EntryState.PARKED));
        ops.oldestAge().map(Duration::toSeconds).ifPresent(s -> details.put("oldestAgeSeconds", s));
        long blocked = ops.countBlockedGroups();
        details.put("blockedGroupCount", blocked);
        if (blocked > 0) {
          details.put(
              "blockedGroups",
              ops.blockedGroups(MAX_BLOCKED_GROUPS_NAMED).stream()
                  .map(ReliableMQEndpoint::toMap)
                  .toList());
        }
        degraded |= backlog > 0 || blocked > 0;
        nowhereToStore = backlog >= storeCapacity;
      } catch (RuntimeException e) {
        details.put("fallbackStore", "unavailable: " + e.getClass().getSimpleName());
        nowhereToStore = true;
      }
    }
    if (listeners != null) {
      List<ListenerStatus> statuses = listeners.statuses();
      long notRunning = statuses.stream().filter(s -> !s.running()).count();
      details.put("listeners", statuses.size());
      details.put("listenersNotRunning", notRunning);
      details.put(
          "listenersWaitingForBroker",
          statuses.stream().filter(ListenerStatus::waitingForBroker).count());
      degraded |= listeners.isRunning() && notRunning > 0;
    }
    String status = open && nowhereToStore ? DOWN : degraded ? DEGRADED : UP;
    return new HealthReport(status, details);
  }
}
