package io.reliablemq.examples.flashsale;

import java.time.Duration;
import org.springframework.core.env.Environment;

/**
 * The scripted sale's knobs, read from {@code flashsale.*} properties and validated before anything
 * starts.
 *
 * @param buyers how many buyers try to buy
 * @param stock how many units there are (half released in each of the two rounds)
 * @param concurrency how many buyers are served at the same time
 * @param chaos whether the broker is killed between the rounds (embedded broker only)
 * @param cancelDelay after how long an unpaid order is cancelled
 * @param doubleSubmitEvery every n-th winner submits the order twice (0: nobody)
 * @param abandonEvery every n-th winner never pays (0: everybody pays)
 * @param settleTimeout how long the demo waits for the system to settle after the sale
 * @param ordersTopic the FIFO topic of orders
 * @param timeoutsTopic the DELAY topic of cancel-unpaid messages
 * @param paymentsTopic the TRANSACTION topic of captured payments
 */
record SaleSettings(
    int buyers,
    int stock,
    int concurrency,
    boolean chaos,
    Duration cancelDelay,
    int doubleSubmitEvery,
    int abandonEvery,
    Duration settleTimeout,
    String ordersTopic,
    String timeoutsTopic,
    String paymentsTopic) {

  SaleSettings {
    positive("flashsale.buyers", buyers, 1_000_000);
    positive("flashsale.stock", stock, 1_000_000);
    positive("flashsale.concurrency", concurrency, 1_000);
    if (stock < 2) {
      throw new IllegalArgumentException("flashsale.stock must be >= 2 (two rounds), was " + stock);
    }
    if (cancelDelay.isNegative() || cancelDelay.isZero() || cancelDelay.toHours() >= 24) {
      throw new IllegalArgumentException(
          "flashsale.cancel-delay must be > 0 and < 24h, was " + cancelDelay);
    }
    if (doubleSubmitEvery < 0 || abandonEvery < 0) {
      throw new IllegalArgumentException(
          "flashsale.double-submit-every and flashsale.abandon-every must be >= 0");
    }
    if (settleTimeout.isNegative() || settleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "flashsale.settle-timeout must be > 0, was " + settleTimeout);
    }
  }

  static SaleSettings from(Environment env) {
    return new SaleSettings(
        env.getProperty("flashsale.buyers", Integer.class, 5000),
        env.getProperty("flashsale.stock", Integer.class, 1000),
        env.getProperty("flashsale.concurrency", Integer.class, 64),
        env.getProperty("flashsale.chaos", Boolean.class, true),
        env.getProperty("flashsale.cancel-delay", Duration.class, Duration.ofSeconds(20)),
        env.getProperty("flashsale.double-submit-every", Integer.class, 20),
        env.getProperty("flashsale.abandon-every", Integer.class, 10),
        env.getProperty("flashsale.settle-timeout", Duration.class, Duration.ofMinutes(3)),
        env.getProperty("flashsale.topics.orders", "flash-orders"),
        env.getProperty("flashsale.topics.timeouts", "flash-order-timeouts"),
        env.getProperty("flashsale.topics.payments", "flash-payments"));
  }

  private static void positive(String name, int value, int max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(name + " must be 1.." + max + ", was " + value);
    }
  }
}
