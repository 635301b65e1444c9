package io.reliablemq.transaction.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.producer.TransactionDecision;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The template's meters, created once: {@code reliablemq.tx} {outcome} and {@code
 * reliablemq.tx.check} {resolution, reason}. Without a registry every call is a no-op.
 */
public final class TxMetrics {
  /** How a transactional send ended. */
  public enum Outcome {
    /**
     * Local transaction committed (message committed, to be committed by check-back, or stored).
     */
    COMMITTED,
    /** Local transaction and message rolled back. */
    ROLLED_BACK,
    /** Nothing happened: the half message could not be sent. */
    FAILED,
    /**
     * The local commit threw with an unknown outcome: the check-back (or, in outbox mode, the
     * outbox row) decides.
     */
    IN_DOUBT
  }

  /** Why a check-back was answered as it was. */
  public enum Reason {
    /** The id is still in the fallback store or outbox: being replayed. */
    REPLAY,
    /** The log has a row. */
    LOG,
    /** No row after the grace period: a marker was written. */
    GRACE,
    /** No row yet, within the grace period. */
    PENDING,
    /** A user checker of the message's business type decided. */
    HANDLER,
    /** The message names no known business type. */
    UNKNOWN_TYPE,
    /** The log or a checker failed. */
    ERROR
  }

  private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
  private final Map<Reason, Map<TransactionDecision, Counter>> checks = new EnumMap<>(Reason.class);

  /**
   * Creates the meters.
   *
   * @param registry the registry, or null for none
   */
  public TxMetrics(MeterRegistry registry) {
    if (registry == null) {
      return;
    }
    for (Outcome o : Outcome.values()) {
      outcomes.put(
          o,
          Counter.builder("reliablemq.tx")
              .description("Transactional sends by outcome")
              .tag("outcome", o.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    for (Reason r : Reason.values()) {
      Map<TransactionDecision, Counter> byDecision = new EnumMap<>(TransactionDecision.class);
      for (TransactionDecision d : TransactionDecision.values()) {
        byDecision.put(
            d,
            Counter.builder("reliablemq.tx.check")
                .description("Transaction check-backs answered, by resolution and reason")
                .tag("resolution", d.name().toLowerCase(Locale.ROOT))
                .tag("reason", r.name().toLowerCase(Locale.ROOT))
                .register(registry));
      }
      checks.put(r, byDecision);
    }
  }

  void outcome(Outcome o) {
    Counter c = outcomes.get(o);
    if (c != null) {
      c.increment();
    }
  }

  void check(Reason reason, TransactionDecision decision) {
    Map<TransactionDecision, Counter> m = checks.get(reason);
    if (m != null) {
      m.get(decision).increment();
    }
  }
}
