package io.reliablemq.examples.flashsale;

import io.reliablemq.examples.flashsale.Payloads.CancelUnpaid;
import io.reliablemq.examples.flashsale.Payloads.OrderPlaced;
import io.reliablemq.examples.flashsale.Payloads.PaymentCaptured;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ReliableMessageListener;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The order service: creates orders at its own pace from the order topic, cancels unpaid ones when
 * their delayed cancel message arrives, and starts shipping when a payment is captured. Every
 * listener is idempotent (dedup by {@code reliablemq_id}, orders by order id), and every effect is
 * idempotent in the database as well, so a message that slips past dedup changes nothing.
 */
class OrderService {
  static final String SCHEMA =
      "CREATE TABLE IF NOT EXISTS orders (order_id VARCHAR(64) PRIMARY KEY,"
          + " buyer_id VARCHAR(64) NOT NULL, buyer_no INT NOT NULL, amount_cents BIGINT NOT NULL,"
          + " status VARCHAR(16) NOT NULL);"
          + "CREATE TABLE IF NOT EXISTS shipments (order_id VARCHAR(64) PRIMARY KEY);"
          + "CREATE TABLE IF NOT EXISTS cancel_checks (order_id VARCHAR(64) PRIMARY KEY,"
          + " outcome VARCHAR(16) NOT NULL)";

  // A cancel that overtakes its order is checked again this much later (see cancelIfUnpaid).
  private static final Duration RECHECK = Duration.ofSeconds(2);

  private final JdbcTemplate jdbc;
  private final ReliableTemplate template;
  private final String timeoutsTopic;
  final AtomicLong absorbedByDatabase = new AtomicLong();
  final AtomicLong cancelBeforeOrder = new AtomicLong();

  OrderService(JdbcTemplate jdbc, ReliableTemplate template, String timeoutsTopic) {
    this.jdbc = jdbc;
    this.template = template;
    this.timeoutsTopic = timeoutsTopic;
  }

  // A buyer's resubmission is a new message (new reliablemq_id) with the same order id: dedup by
  // the business key catches it, FIFO by buyer keeps it behind the original.
  @ReliableMessageListener(
      topic = "${flashsale.topics.orders:flash-orders}",
      consumerGroup = "${flashsale.groups.orders:flash-order-service}",
      dedupKey = "#payload.orderId()")
  void createOrder(OrderPlaced order) {
    try {
      jdbc.update(
          "INSERT INTO orders (order_id, buyer_id, buyer_no, amount_cents, status)"
              + " VALUES (?, ?, ?, ?, 'CREATED')",
          order.orderId(),
          order.buyerId(),
          order.buyerNo(),
          order.amountCents());
    } catch (DuplicateKeyException e) {
      absorbedByDatabase.incrementAndGet();
    }
  }

  @ReliableMessageListener(
      topic = "${flashsale.topics.timeouts:flash-order-timeouts}",
      consumerGroup = "${flashsale.groups.timeouts:flash-order-timeouts}")
  void cancelIfUnpaid(CancelUnpaid cancel) {
    int cancelled =
        jdbc.update(
            "UPDATE orders SET status = 'CANCELLED' WHERE order_id = ? AND status = 'CREATED'",
            cancel.orderId());
    String outcome = cancelled == 1 ? "CANCELLED" : statusOf(cancel.orderId());
    if (outcome == null) {
      // The cancel overtook its order (after an outage both arrive late, on different topics, and
      // the order service works through its backlog). Check again shortly, with a new delayed
      // message: failing instead would wait out the broker's redelivery backoff (10 s, 30 s, 1 min,
      // ...). The re-check is SENT or STORED like any message, so it cannot get lost either.
      cancelBeforeOrder.incrementAndGet();
      template.sendDelayed(timeoutsTopic, cancel, RECHECK);
      return;
    }
    record(cancel.orderId(), cancelled == 1 ? "CANCELLED" : "ALREADY_" + outcome);
  }

  @ReliableMessageListener(
      topic = "${flashsale.topics.payments:flash-payments}",
      consumerGroup = "${flashsale.groups.shipping:flash-shipping}")
  void ship(PaymentCaptured payment) {
    try {
      jdbc.update("INSERT INTO shipments (order_id) VALUES (?)", payment.orderId());
    } catch (DuplicateKeyException e) {
      absorbedByDatabase.incrementAndGet();
    }
  }

  private String statusOf(String orderId) {
    return jdbc
        .queryForList("SELECT status FROM orders WHERE order_id = ?", String.class, orderId)
        .stream()
        .findFirst()
        .orElse(null);
  }

  private void record(String orderId, String outcome) {
    try {
      jdbc.update("INSERT INTO cancel_checks (order_id, outcome) VALUES (?, ?)", orderId, outcome);
    } catch (DuplicateKeyException e) {
      absorbedByDatabase.incrementAndGet();
    }
  }
}
