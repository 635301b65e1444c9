package io.reliablemq.examples.flashsale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's demo at a smaller scale, against a real embedded broker that it kills midway. */
class FlashSaleDemoTest {

  @Test
  void sale_losesNothing_oversellsNothing_whenBrokerKilledMidway() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    Report report =
        FlashSaleDemo.sale(
            new String[] {
              "--flashsale.buyers=400",
              "--flashsale.stock=80",
              "--flashsale.concurrency=32",
              "--flashsale.cancel-delay=4s",
              "--flashsale.double-submit-every=10",
              "--flashsale.settle-timeout=100s"
            },
            out);
    report.print(out);
    System.out.print(buffer.toString(StandardCharsets.UTF_8));

    assertThat(report.failures).isEmpty();
    assertThat(report.number("lost")).isZero();
    assertThat(report.number("oversold")).isZero();
    assertThat(report.number("orders created by the order service")).isEqualTo(80);
    // The second round was sold with the broker dead: those orders went through the store.
    assertThat(report.number("orders STORED during the outage")).isPositive();
    assertThat(report.number("messages replayed from the store")).isPositive();
    assertThat(report.number("double submits by buyers")).isPositive();
    assertThat(
            report.number("duplicates suppressed by dedup")
                + report.number("duplicates absorbed by the database"))
        .isGreaterThanOrEqualTo(report.number("double submits by buyers"));
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("broker SIGKILL", "RESULT: OK");
  }

  @Test
  void badSettings_failBeforeAnyBrokerStarts() {
    assertThatThrownBy(() -> FlashSaleDemo.sale(new String[] {"--flashsale.stock=0"}, System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flashsale.stock");
  }

  @Test
  void demoArgs_givenAsOneArgument_areSplitBeforeEachOption() {
    assertThat(
            FlashSaleDemo.splitOptions(
                new String[] {" --flashsale.buyers=20000  --flashsale.stock=3000 ", "--x=a b"}))
        .containsExactly("--flashsale.buyers=20000", "--flashsale.stock=3000", "--x=a b");
  }
}
