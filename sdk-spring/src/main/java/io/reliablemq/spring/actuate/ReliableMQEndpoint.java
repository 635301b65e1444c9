package io.reliablemq.spring.actuate;

import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.EntrySummary;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.spring.listener.ListenerStatus;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The Actuator endpoint {@code reliablemq}: store counts, parked entries (never bodies or property
 * values), the message groups they block, circuit and listeners; and, only with {@code
 * reliablemq.management.write-operations-enabled=true}, replay now, unpark and delete.
 *
 * <p>A blocked group's later entries never pass its parked entry (the group's order is what FIFO
 * consumers rely on). To unblock it, fix the cause and unpark the entry ({@code POST /{id}}), or
 * delete the entry ({@code DELETE /{id}}) when it must never be delivered; the rest of the group
 * then drains in order.
 */
@Endpoint(id = "reliablemq")
public class ReliableMQEndpoint {
  /** Most parked entries listed. */
  public static final int MAX_PARKED_LISTED = 100;

  private final ReliableProducer producer;
  private final ReliableListenerRegistry listeners;
  private final boolean writeEnabled;

  /**
   * Creates the endpoint.
   *
   * @param producer the producer
   * @param listeners the listener registry, or null
   * @param writeEnabled whether write operations run
   */
  public ReliableMQEndpoint(
      ReliableProducer producer, ReliableListenerRegistry listeners, boolean writeEnabled) {
    this.producer = producer;
    this.listeners = listeners;
    this.writeEnabled = writeEnabled;
  }

  /**
   * Counts, parked entries, circuit and listeners.
   *
   * @return the summary
   */
  @ReadOperation
  public Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("circuit", producer.circuitState().name());
    producer
        .fallback()
        .ifPresent(
            ops -> {
              Map<String, Object> store = new LinkedHashMap<>();
              store.put("pending", ops.count(EntryState.PENDING));
              store.put("parked", ops.count(EntryState.PARKED));
              ops.oldestAge().ifPresent(a -> store.put("oldestAgeSeconds", a.toSeconds()));
              store.put("parkedEntries", parked(ops));
              store.put("blockedGroupCount", ops.countBlockedGroups());
              store.put(
                  "blockedGroups",
                  ops.blockedGroups(MAX_PARKED_LISTED).stream()
                      .map(ReliableMQEndpoint::toMap)
                      .toList());
              out.put("fallback", store);
            });
    if (listeners != null) {
      out.put("listeners", listeners.statuses().stream().map(ReliableMQEndpoint::toMap).toList());
    }
    out.put("writeOperationsEnabled", writeEnabled);
    return out;
  }

  /**
   * Wakes the replayer now.
   *
   * @return what was done
   */
  @WriteOperation
  public Map<String, Object> replayNow() {
    FallbackOperations ops = writable();
    ops.replayNow();
    return Map.of("replay", "requested");
  }

  /**
   * Returns a parked entry to PENDING.
   *
   * @param id the {@code reliablemq_id}
   * @return whether an entry was unparked
   */
  @WriteOperation
  public Map<String, Object> unpark(@Selector String id) {
    return Map.of("unparked", writable().unpark(id));
  }

  /**
   * Deletes an entry: it will never be delivered.
   *
   * @param id the {@code reliablemq_id}
   * @return whether an entry was deleted
   */
  @DeleteOperation
  public Map<String, Object> delete(@Selector String id) {
    return Map.of("deleted", writable().delete(id));
  }

  private FallbackOperations writable() {
    if (!writeEnabled) {
      // The Actuator's own "bad request" type: over HTTP a 400 with this reason, not a 500.
      String reason =
          "write operations are off: set reliablemq.management.write-operations-enabled=true";
      throw new InvalidEndpointRequestException(reason, reason);
    }
    return producer
        .fallback()
        .orElseThrow(() -> new IllegalStateException("no fallback store is configured"));
  }

  private static List<Map<String, Object>> parked(FallbackOperations ops) {
    return ops.list(0, 10_000).stream()
        .filter(e -> e.state() == EntryState.PARKED)
        .limit(MAX_PARKED_LISTED)
        .map(ReliableMQEndpoint::toMap)
        .toList();
  }

  private static Map<String, Object> toMap(EntrySummary e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("topic", e.topic());
    e.tag().ifPresent(t -> m.put("tag", t));
    e.messageGroup().ifPresent(g -> m.put("messageGroup", g));
    m.put("bodyBytes", e.bodyBytes());
    m.put("storedAt", e.storedAt().toString());
    m.put("attempts", e.attempts());
    e.lastError().ifPresent(x -> m.put("lastError", x));
    return m;
  }

  /** What operators see of a blocked group, in the endpoint and in health. */
  public static Map<String, Object> toMap(BlockedGroup g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("topic", g.topic());
    m.put("messageGroup", g.messageGroup());
    m.put("parkedEntryId", g.parkedEntryId());
    g.lastError().ifPresent(x -> m.put("lastError", x));
    m.put("entriesWaiting", g.entriesWaiting());
    return m;
  }

  private static Map<String, Object> toMap(ListenerStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("topic", s.topic());
    m.put("consumerGroup", s.consumerGroup());
    m.put("running", s.running());
    s.consumerState().ifPresent(x -> m.put("consumerState", x.name()));
    s.lastStartError().ifPresent(x -> m.put("lastStartError", x));
    s.stats().ifPresent(x -> m.put("stats", x.toString()));
    return m;
  }
}
