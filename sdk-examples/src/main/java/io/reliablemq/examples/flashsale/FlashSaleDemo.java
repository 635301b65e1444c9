package io.reliablemq.examples.flashsale;

import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ReliableListenerRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs the flash sale: starts an embedded RocketMQ 5 (unless {@code reliablemq.endpoints} names an
 * external proxy), starts the shop's Spring Boot application, sells, kills and restarts the broker
 * midway, and prints the reconciliation. Exits 0 only when every invariant holds (lost = 0,
 * oversold = 0, ...).
 *
 * <p>Arguments are Spring Boot arguments, e.g. {@code --flashsale.buyers=20000
 * --flashsale.stock=2000 --flashsale.chaos=false --reliablemq.endpoints=host:8081}.
 */
public final class FlashSaleDemo {
  private FlashSaleDemo() {}

  /**
   * Runs the demo and exits with 0 when every invariant holds, 1 otherwise.
   *
   * @param args Spring Boot arguments
   * @throws Exception on a setup failure
   */
  public static void main(String[] args) throws Exception {
    System.exit(run(splitOptions(args), System.out) ? 0 : 1);
  }

  // The demo profile passes -Ddemo.args="--a=1 --b=2" as a single argument; split it before each
  // --.
  static String[] splitOptions(String[] args) {
    return Arrays.stream(args)
        .flatMap(a -> Arrays.stream(a.strip().split("\\s+(?=--)")))
        .filter(a -> !a.isEmpty())
        .toArray(String[]::new);
  }

  /**
   * Runs the demo and prints progress and the reconciliation on {@code out}.
   *
   * @param args Spring Boot arguments
   * @param out where progress and the report go
   * @return true when every invariant holds
   * @throws Exception on a setup failure
   */
  public static boolean run(String[] args, PrintStream out) throws Exception {
    Report report = sale(args, out);
    report.print(out);
    return report.ok();
  }

  static Report sale(String[] args, PrintStream out) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    // Created owner-only (0700); holds the fallback store, the dedup store and the shop's database.
    Path workDir = Files.createTempDirectory("reliablemq-flashsale-");
    SpringApplication app = new SpringApplication(FlashSaleApplication.class);
    app.setDefaultProperties(Map.of("flashsale.work-dir", workDir.toString()));
    BrokerControl broker = new BrokerControl();
    try {
      app.addListeners(
          (ApplicationListener<ApplicationEvent>)
              event -> {
                if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
                  broker.prepare(prepared.getEnvironment(), out);
                }
              });
      try (ConfigurableApplicationContext context = app.run(args)) {
        out.printf(
            "shop application started in %d ms (work dir %s)%n",
            (System.nanoTime() - t0) / 1_000_000, workDir);
        FlashSale sale =
            new FlashSale(
                SaleSettings.from(context.getEnvironment()),
                context.getBean(ReliableTemplate.class),
                context.getBean(JdbcTemplate.class),
                context.getBean(MeterRegistry.class),
                context.getBean(OrderService.class),
                context.getBean(ReliableListenerRegistry.class),
                broker,
                out);
        Report report = sale.run();
        // The sale is reconciled. Stopping the broker before the application spares the shutdown
        // the wait for the push consumers' long polls (the client's close waits them out).
        broker.close();
        report.phaseMillis.put("total (including startup)", (System.nanoTime() - t0) / 1_000_000);
        return report;
      }
    } finally {
      broker.close();
    }
  }
}
