package io.reliablemq.examples.flashsale;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reliablemq.ReliableMQException;
import io.reliablemq.examples.flashsale.Payloads.CancelUnpaid;
import io.reliablemq.examples.flashsale.Payloads.OrderPlaced;
import io.reliablemq.examples.flashsale.Payloads.PaymentCaptured;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ListenerStatus;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import io.reliablemq.transaction.TransactionUnavailableException;
import java.io.PrintStream;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The scripted sale. The stock lives in memory and is deducted with a compare-and-set (the role a
 * cache's atomic decrement plays in a real shop), so it can never go below zero; each winner's
 * order goes to the MQ and the order service creates it at its own pace. The stock is released in
 * two rounds; with chaos on, the broker is killed (SIGKILL) between them, so the whole second round
 * is sold while the MQ is down, and restarted afterwards.
 */
final class FlashSale {
  private static final long PRICE_CENTS = 9_900;

  private final SaleSettings settings;
  private final ReliableTemplate template;
  private final JdbcTemplate jdbc;
  private final MeterRegistry registry;
  private final OrderService orderService;
  private final ReliableListenerRegistry listeners;
  private final BrokerControl broker;
  private final PrintStream out;
  private final FallbackOperations store;

  private final AtomicLong stockLeft = new AtomicLong();
  private final AtomicLong unitsSold = new AtomicLong();
  private final AtomicLong buyersServed = new AtomicLong();
  private final AtomicLong soldOut = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final AtomicLong ordersSent = new AtomicLong();
  private final AtomicLong ordersStored = new AtomicLong();
  private final AtomicLong otherStored = new AtomicLong();
  private final AtomicLong doubleSubmits = new AtomicLong();
  private final AtomicLong cancelsScheduled = new AtomicLong();
  private final AtomicLong cancelsNotScheduled = new AtomicLong();
  private final AtomicLong paymentsCommitted = new AtomicLong();
  private final AtomicLong paymentsRefused = new AtomicLong();
  private final AtomicLong paymentsDeferred = new AtomicLong();
  private final Set<String> notPayable = ConcurrentHashMap.newKeySet();
  private volatile String phase = "starting";
  private volatile long phaseStart = System.nanoTime();

  FlashSale(
      SaleSettings settings,
      ReliableTemplate template,
      JdbcTemplate jdbc,
      MeterRegistry registry,
      OrderService orderService,
      ReliableListenerRegistry listeners,
      BrokerControl broker,
      PrintStream out) {
    this.settings = settings;
    this.template = template;
    this.jdbc = jdbc;
    this.registry = registry;
    this.orderService = orderService;
    this.listeners = listeners;
    this.broker = broker;
    this.out = out;
    this.store =
        template
            .producer()
            .fallback()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the demo needs the fallback store: reliablemq.fallback.enabled=true"));
  }

  Report run() throws InterruptedException {
    Report report = new Report();
    boolean chaos = settings.chaos() && broker.embedded();
    if (settings.chaos() && !broker.embedded()) {
      out.println("chaos skipped: the demo cannot kill an external broker");
    }
    ScheduledExecutorService background =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "flashsale-background");
              t.setDaemon(true);
              return t;
            });
    try {
      background.scheduleWithFixedDelay(this::progress, 1, 1, TimeUnit.SECONDS);
      phase(report, "listeners starting");
      boolean listening =
          await(
              Duration.ofSeconds(90),
              () -> listeners.statuses().stream().allMatch(ListenerStatus::running));
      report.require(listening, "every listener started within 90 s");

      background.scheduleWithFixedDelay(this::payRound, 200, 200, TimeUnit.MILLISECONDS);
      int firstHalfBuyers = settings.buyers() / 2;
      int firstHalfStock = settings.stock() / 2;
      phase(report, "round 1: selling, broker up");
      sell(0, firstHalfBuyers, firstHalfStock);

      long storedBefore = ordersStored.get();
      if (chaos) {
        phase(report, "broker SIGKILL");
        out.printf(
            "  >>> killing the broker (SIGKILL pid %d) in the middle of the sale%n", broker.pid());
        broker.kill();
      }
      phase(report, chaos ? "round 2: selling, broker DOWN" : "round 2: selling, broker up");
      sell(firstHalfBuyers, settings.buyers(), settings.stock() - firstHalfStock);
      long storedInOutage = ordersStored.get() - storedBefore;

      if (chaos) {
        phase(report, "broker restart");
        out.println("  >>> restarting the broker (same ports, same store)");
        broker.restart();
      }
      phase(report, "replay: draining the fallback store");
      boolean drained = await(settings.settleTimeout(), () -> store.count() == 0);
      phase(report, "settle: orders, payments, cancels");
      boolean settled = await(settings.settleTimeout(), this::settled);
      phase(report, null);
      background.shutdownNow();
      background.awaitTermination(10, TimeUnit.SECONDS);
      reconcile(report, storedInOutage, drained, settled);
      return report;
    } finally {
      background.shutdownNow();
    }
  }

  private void sell(int fromBuyer, int toBuyer, int units) throws InterruptedException {
    stockLeft.addAndGet(units);
    ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency());
    CountDownLatch gate = new CountDownLatch(1);
    try {
      // Every buyer of the round is queued first and released at once: the peak of a flash sale.
      for (int n = fromBuyer; n < toBuyer; n++) {
        int buyerNo = n;
        pool.execute(
            () -> {
              try {
                gate.await();
                buy(buyerNo);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                buyersServed.incrementAndGet();
              }
            });
      }
      gate.countDown();
    } finally {
      pool.shutdown();
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        // progress is printed by the background reporter meanwhile
      }
    }
  }

  private void buy(int buyerNo) {
    if (!deductOne()) {
      soldOut.incrementAndGet();
      return;
    }
    String buyer = String.format("buyer-%06d", buyerNo);
    OrderPlaced order = new OrderPlaced("order-" + buyer, buyer, buyerNo, PRICE_CENTS);
    try {
      SendOutcome outcome = template.sendFifo(settings.ordersTopic(), buyer, order);
      (outcome.status() == SendStatus.STORED ? ordersStored : ordersSent).incrementAndGet();
      accepted.add(order.orderId());
    } catch (ReliableMQException e) {
      // Nothing was stored anywhere: the unit goes back, the buyer is told to try again.
      unitsSold.decrementAndGet();
      stockLeft.incrementAndGet();
      rejected.incrementAndGet();
      return;
    }
    try {
      count(
          template.sendDelayed(
              settings.timeoutsTopic(), new CancelUnpaid(order.orderId()), settings.cancelDelay()));
      cancelsScheduled.incrementAndGet();
    } catch (ReliableMQException e) {
      cancelsNotScheduled.incrementAndGet();
    }
    if (settings.doubleSubmitEvery() > 0 && buyerNo % settings.doubleSubmitEvery() == 0) {
      // The buyer taps "buy" twice: a second message, same order id.
      try {
        count(template.sendFifo(settings.ordersTopic(), buyer, order));
        doubleSubmits.incrementAndGet();
      } catch (ReliableMQException e) {
        // The first submission counts; a lost resubmission loses nothing.
      }
    }
  }

  private boolean deductOne() {
    while (true) {
      long left = stockLeft.get();
      if (left <= 0) {
        return false;
      }
      if (stockLeft.compareAndSet(left, left - 1)) {
        unitsSold.incrementAndGet();
        return true;
      }
    }
  }

  private void count(SendOutcome outcome) {
    if (outcome.status() == SendStatus.STORED) {
      otherStored.incrementAndGet();
    }
  }

  /** Pays the created orders of the buyers who pay; stops the round when the MQ is unreachable. */
  private void payRound() {
    try {
      List<Map<String, Object>> due =
          jdbc.queryForList(
              "SELECT order_id, buyer_no, amount_cents FROM orders WHERE status = 'CREATED'"
                  + " ORDER BY order_id LIMIT 200");
      for (Map<String, Object> row : due) {
        String orderId = (String) row.get("ORDER_ID");
        int buyerNo = ((Number) row.get("BUYER_NO")).intValue();
        long amount = ((Number) row.get("AMOUNT_CENTS")).longValue();
        if (abandons(buyerNo) || notPayable.contains(orderId)) {
          continue;
        }
        if (!pay(orderId, amount)) {
          return;
        }
      }
    } catch (RuntimeException e) {
      // The next round tries again; the reconciliation tells whether anything stayed unpaid.
      paymentsDeferred.incrementAndGet();
    }
  }

  private boolean pay(String orderId, long amount) {
    try {
      template.sendInTransaction(
          settings.paymentsTopic(),
          new PaymentCaptured(orderId, amount),
          connection -> {
            try (PreparedStatement ps =
                connection.prepareStatement(
                    "UPDATE orders SET status = 'PAID' WHERE order_id = ? AND status = 'CREATED'")) {
              ps.setString(1, orderId);
              if (ps.executeUpdate() != 1) {
                throw new OrderNotPayableException(orderId);
              }
            }
            return orderId;
          });
      paymentsCommitted.incrementAndGet();
      return true;
    } catch (OrderNotPayableException e) {
      // The cancel came first: the local transaction and the message rolled back together.
      notPayable.add(orderId);
      paymentsRefused.incrementAndGet();
      return true;
    } catch (TransactionUnavailableException e) {
      // The broker is down: nothing was charged and nothing sent; pay when it is back.
      paymentsDeferred.incrementAndGet();
      return false;
    }
  }

  private boolean abandons(int buyerNo) {
    return settings.abandonEvery() > 0 && buyerNo % settings.abandonEvery() == 0;
  }

  private boolean settled() {
    long orders = countOf("SELECT COUNT(*) FROM orders");
    long unresolved = countOf("SELECT COUNT(*) FROM orders WHERE status = 'CREATED'");
    long paid = countOf("SELECT COUNT(*) FROM orders WHERE status = 'PAID'");
    long shipped = countOf("SELECT COUNT(*) FROM shipments");
    long cancelChecks = countOf("SELECT COUNT(*) FROM cancel_checks");
    return store.count() == 0
        && orders >= accepted.size()
        && unresolved == 0
        && shipped >= paid
        && cancelChecks >= cancelsScheduled.get();
  }

  private void reconcile(Report report, long storedInOutage, boolean drained, boolean settled) {
    Set<String> created =
        new HashSet<>(jdbc.queryForList("SELECT order_id FROM orders", String.class));
    Set<String> lost = new HashSet<>(accepted);
    lost.removeAll(created);
    Set<String> unexpected = new HashSet<>(created);
    unexpected.removeAll(accepted);
    long sold = unitsSold.get();
    long oversold = Math.max(0, created.size() - settings.stock());
    long paid = countOf("SELECT COUNT(*) FROM orders WHERE status = 'PAID'");
    long cancelled = countOf("SELECT COUNT(*) FROM orders WHERE status = 'CANCELLED'");
    long unresolved = countOf("SELECT COUNT(*) FROM orders WHERE status = 'CREATED'");
    long shipped = countOf("SELECT COUNT(*) FROM shipments");
    long backlog = store.count();
    long parked = store.count(EntryState.PARKED);
    long storedTotal = ordersStored.get() + otherStored.get();
    long suppressed = 0;
    for (Timer t : registry.find("reliablemq.consume").tag("result", "duplicate").timers()) {
      suppressed += t.count();
    }

    report.figure("buyers", settings.buyers());
    report.figure("stock", settings.stock());
    report.figure("units sold (stock deducted)", sold);
    report.figure("buyers turned away (sold out)", soldOut.get());
    report.figure("orders accepted (SENT or STORED)", accepted.size());
    report.figure("  of which SENT to the broker", ordersSent.get());
    report.figure("  of which STORED (broker unreachable)", ordersStored.get());
    report.figure("orders STORED during the outage", storedInOutage);
    report.figure("orders rejected (exception, stock returned)", rejected.get());
    report.figure("orders created by the order service", created.size());
    report.figure("messages STORED (orders, cancels, resubmits)", storedTotal);
    report.figure("messages replayed from the store", storedTotal - backlog - parked);
    report.figure("store backlog / parked at the end", backlog + " / " + parked);
    report.figure("double submits by buyers", doubleSubmits.get());
    report.figure("duplicates suppressed by dedup", suppressed);
    report.figure("duplicates absorbed by the database", orderService.absorbedByDatabase.get());
    report.figure("orders paid (transactional send)", paid);
    report.figure("payments shipped (consumer)", shipped);
    report.figure(
        "payments deferred (MQ down) / refused",
        paymentsDeferred.get() + " / " + paymentsRefused.get());
    report.figure("orders cancelled unpaid (delayed message)", cancelled);
    report.figure(
        "cancels before their order (checked again)", orderService.cancelBeforeOrder.get());
    report.figure("lost", lost.size());
    report.figure("oversold", oversold);

    report.require(drained, "the fallback store drained within " + settings.settleTimeout());
    report.require(
        settled, "orders, payments and cancels settled within " + settings.settleTimeout());
    report.require(
        lost.isEmpty(), "lost = 0 (every accepted order was created), missing " + first(lost));
    report.require(
        unexpected.isEmpty(), "no order created that was not accepted, found " + first(unexpected));
    report.require(oversold == 0 && sold <= settings.stock(), "oversold = 0");
    report.require(created.size() == sold, "orders created = units sold");
    report.require(backlog == 0 && parked == 0, "store empty, nothing parked");
    report.require(cancelsNotScheduled.get() == 0, "every order got its cancel-unpaid message");
    report.require(unresolved == 0, "every order ended PAID or CANCELLED");
    report.require(shipped == paid, "payments shipped = orders paid");
  }

  private static String first(Set<String> ids) {
    return ids.stream().sorted().limit(5).toList().toString();
  }

  private long countOf(String sql) {
    Long n = jdbc.queryForObject(sql, Long.class);
    return n == null ? 0 : n;
  }

  private void phase(Report report, String next) {
    long now = System.nanoTime();
    if (!"starting".equals(phase)) {
      report.phaseMillis.put(phase, (now - phaseStart) / 1_000_000);
    }
    if (next != null) {
      out.printf("== %s%n", next);
      phase = next;
      phaseStart = now;
    }
  }

  private void progress() {
    try {
      out.printf(
          "  [%-36s %5.1fs] buyers %d/%d  sold %d/%d  accepted %d (stored %d)  created %d"
              + "  paid %d  cancelled %d  store backlog %d%n",
          phase,
          (System.nanoTime() - phaseStart) / 1e9,
          buyersServed.get(),
          settings.buyers(),
          unitsSold.get(),
          settings.stock(),
          accepted.size(),
          ordersStored.get(),
          countOf("SELECT COUNT(*) FROM orders"),
          countOf("SELECT COUNT(*) FROM orders WHERE status = 'PAID'"),
          countOf("SELECT COUNT(*) FROM orders WHERE status = 'CANCELLED'"),
          store.count());
    } catch (RuntimeException e) {
      out.println("  (progress unavailable: " + e.getClass().getSimpleName() + ")");
    }
  }

  private static boolean await(Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(200);
    }
    return condition.getAsBoolean();
  }

  /** The local transaction found the order no longer payable (cancelled first). */
  static final class OrderNotPayableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OrderNotPayableException(String orderId) {
      super("order not payable: " + orderId);
    }
  }
}
