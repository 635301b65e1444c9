package io.reliablemq.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.client.ClientSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RelayConfigTest {
  private static final ClientSettings CLIENT = ClientSettings.of("127.0.0.1:8081");

  private static RelayConfig.Builder builder() {
    return RelayConfig.custom(CLIENT, "narrow", "relay-group", "wide");
  }

  @Test
  void defaults_areUsable() {
    RelayConfig c = builder().build();
    assertThat(c.filterExpression()).isEqualTo("*");
    assertThat(c.batchSize()).isEqualTo(16);
    assertThat(c.invisibleDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.idleTimeout()).isEmpty();
    assertThat(c.until()).isEmpty();
    assertThat(c.expectedTotal()).isEmpty();
  }

  @Test
  void badNames_areRejectedNamingTheField() {
    assertThatThrownBy(() -> RelayConfig.custom(CLIENT, "bad topic", "g", "wide"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sourceTopic");
    assertThatThrownBy(() -> RelayConfig.custom(CLIENT, "narrow", "", "wide"))
        .hasMessageContaining("consumerGroup");
    assertThatThrownBy(() -> RelayConfig.custom(CLIENT, "narrow", "g", null))
        .hasMessageContaining("targetTopic");
    assertThatThrownBy(() -> RelayConfig.custom(CLIENT, "same", "g", "same"))
        .hasMessageContaining("targetTopic must differ");
  }

  @Test
  void outOfRangeValues_areRejectedNamingFieldAndLimit() {
    assertThatThrownBy(() -> builder().batchSize(33))
        .hasMessageContaining("batchSize must be 1-32");
    assertThatThrownBy(() -> builder().maxInFlight(0)).hasMessageContaining("maxInFlight");
    assertThatThrownBy(() -> builder().invisibleDuration(Duration.ofSeconds(9)))
        .hasMessageContaining("invisibleDuration")
        .hasMessageContaining("PT10S");
    assertThatThrownBy(() -> builder().idleTimeout(Duration.ZERO))
        .hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> builder().pollTimeout(Duration.ofMinutes(1)))
        .hasMessageContaining("pollTimeout");
    assertThatThrownBy(() -> builder().pollTimeout(Duration.ofSeconds(2)))
        .hasMessageContaining("pollTimeout must be between PT5S");
    assertThatThrownBy(() -> builder().filterExpression(" "))
        .hasMessageContaining("filterExpression");
    assertThatThrownBy(() -> builder().expectedTotal(-1)).hasMessageContaining("expectedTotal");
    assertThatThrownBy(() -> builder().batchSize(32).maxInFlight(8).build())
        .hasMessageContaining("maxInFlight must be >= batchSize");
  }

  @Test
  void progress_reportsRateAndRemaining() {
    RelayProgress p =
        new RelayProgress(
            RelayState.RUNNING,
            500,
            400,
            100,
            2,
            3,
            Duration.ofSeconds(5),
            java.util.OptionalLong.of(1500));
    assertThat(p.ratePerSecond()).isEqualTo(100.0);
    assertThat(p.toString()).contains("relayed 500").contains("remaining 1500");
  }
}
