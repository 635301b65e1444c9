package io.reliablemq.transaction.internal;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.producer.CheckRequest;
import io.reliablemq.producer.TransactionCheck;
import io.reliablemq.producer.TransactionDecision;
import io.reliablemq.transaction.TransactionLogDialect;
import io.reliablemq.transaction.internal.TxMetrics.Reason;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one check of the SDK, in this order:
 *
 * <ol>
 *   <li>id still in the outbox: COMMIT (being replayed as begin + send + commit; a replay is never
 *       rolled back, whatever the log says, since the outbox row committed with the business);
 *   <li>a log row: COMMITTED is COMMIT, ROLLED_BACK is ROLLBACK, whatever the type;
 *   <li>a log-decided message ({@link TransactionCheck#LOG_TYPE}) without a row: older than the
 *       grace period, insert the ROLLED_BACK marker, then ROLLBACK (if the insert finds a row, the
 *       local transaction just committed: answer from it; if it fails otherwise, e.g. a lock wait
 *       on the local transaction's uncommitted row, UNKNOWN); younger, UNKNOWN;
 *   <li>a business type with a user checker: that checker (an exception is UNKNOWN);
 *   <li>anything else: UNKNOWN, logged and counted, never rolled back on a guess.
 * </ol>
 *
 * <p>Logs carry ids, topics and types, never bodies or property values.
 */
public final class SdkTransactionCheck implements TransactionCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SdkTransactionCheck.class);

  private final JdbcTransactionLog log;
  private final FallbackStore outbox;
  private final Map<String, TransactionCheck> checkers;
  private final Duration grace;
  private final Clock clock;
  private final TxMetrics metrics;

  /**
   * Creates the check.
   *
   * @param log the transaction log
   * @param outbox the outbox store, or null
   * @param checkers user checkers per business type
   * @param grace the grace period
   * @param clock the clock
   * @param metrics the meters
   */
  public SdkTransactionCheck(
      JdbcTransactionLog log,
      FallbackStore outbox,
      Map<String, TransactionCheck> checkers,
      Duration grace,
      Clock clock,
      TxMetrics metrics) {
    this.log = log;
    this.outbox = outbox;
    this.checkers = Map.copyOf(checkers);
    this.grace = grace;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public TransactionDecision check(CheckRequest request) {
    String id = request.reliableId();
    String type = request.businessType();
    try {
      if (id != null && outbox != null && outbox.find(id).isPresent()) {
        return answer(request, Reason.REPLAY, TransactionDecision.COMMIT);
      }
      if (id != null) {
        Optional<String> row = log.find(id);
        if (row.isPresent()) {
          return answer(request, Reason.LOG, fromRow(row.get()));
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn(
          "Transaction check of {} (topic {}) cannot read the log: {}",
          id,
          request.topic(),
          e.toString());
      return answer(request, Reason.ERROR, TransactionDecision.UNKNOWN);
    }
    if (TransactionCheck.LOG_TYPE.equals(type)) {
      return checkLogMessage(request);
    }
    TransactionCheck checker = type == null ? null : checkers.get(type);
    if (checker != null) {
      try {
        TransactionDecision d = checker.check(request);
        return answer(request, Reason.HANDLER, d == null ? TransactionDecision.UNKNOWN : d);
      } catch (RuntimeException e) {
        LOG.warn(
            "Transaction checker of business type {} failed for {} (topic {}): {}",
            type,
            id,
            request.topic(),
            e.toString());
        return answer(request, Reason.ERROR, TransactionDecision.UNKNOWN);
      }
    }
    LOG.warn(
        "Transaction check of {} (topic {}): no checker for business type {}; answering UNKNOWN",
        id,
        request.topic(),
        type);
    return answer(request, Reason.UNKNOWN_TYPE, TransactionDecision.UNKNOWN);
  }

  private TransactionDecision checkLogMessage(CheckRequest request) {
    String id = request.reliableId();
    if (id == null) {
      return answer(request, Reason.ERROR, TransactionDecision.UNKNOWN);
    }
    Instant now = clock.instant();
    Duration age = Duration.between(request.bornAt(), now);
    if (age.compareTo(grace) < 0) {
      return answer(request, Reason.PENDING, TransactionDecision.UNKNOWN);
    }
    try {
      // The marker first: once it is committed, a late local commit fails on the unique key, so
      // the ROLLBACK answered below can never contradict the business's state.
      if (log.insertRolledBack(id, request.topic(), request.businessType(), now)) {
        LOG.info(
            "Transaction {} (topic {}) has no log row after {}; marked ROLLED_BACK, rolling back",
            id,
            request.topic(),
            age);
        return answer(request, Reason.GRACE, TransactionDecision.ROLLBACK);
      }
      Optional<String> row = log.find(id);
      return answer(
          request,
          Reason.LOG,
          row.map(SdkTransactionCheck::fromRow).orElse(TransactionDecision.UNKNOWN));
    } catch (SQLException | RuntimeException e) {
      // Typically a lock wait on the row of a local transaction still running: let it finish.
      LOG.info(
          "Transaction check of {} (topic {}) could not write the marker: {}; answering UNKNOWN",
          id,
          request.topic(),
          e.toString());
      return answer(request, Reason.ERROR, TransactionDecision.UNKNOWN);
    }
  }

  @Override
  public void onCommittedFromFallbackStore(CheckRequest request) {
    answer(request, Reason.REPLAY, TransactionDecision.COMMIT);
  }

  private TransactionDecision answer(CheckRequest r, Reason reason, TransactionDecision d) {
    metrics.check(reason, d);
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "Transaction check of {} (topic {}): {} ({})", r.reliableId(), r.topic(), d, reason);
    }
    return d;
  }

  private static TransactionDecision fromRow(String status) {
    if (TransactionLogDialect.COMMITTED.equals(status)) {
      return TransactionDecision.COMMIT;
    }
    if (TransactionLogDialect.ROLLED_BACK.equals(status)) {
      return TransactionDecision.ROLLBACK;
    }
    return TransactionDecision.UNKNOWN;
  }
}
