package io.reliablemq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import java.nio.file.Path;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of the consumer's settings, before any I/O. */
class ConsumerConfigTest {
  private static final ClientSettings CLIENT = ClientSettings.of("127.0.0.1:1");

  @TempDir Path tmp;

  @Test
  void dedupDefaults_areTheDocumentedOnes() {
    try (JdbcDedupStore store =
        JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp).build())) {
      DedupConfig c = DedupConfig.ofDefaults(store);

      assertThat(c.enabled()).isTrue();
      assertThat(c.ttl()).isEqualTo(Duration.ofHours(24));
      assertThat(c.ttl().getSeconds()).isGreaterThan(DedupConfig.BROKER_RETRY_HORIZON_SECONDS);
      assertThat(c.lease()).isEqualTo(Duration.ofSeconds(60));
      assertThat(c.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(20));
      assertThat(c.cacheTtl()).isEqualTo(Duration.ofMinutes(30));
      assertThat(c.unavailablePolicy()).isEqualTo(StoreUnavailablePolicy.FAIL_CLOSED);
      assertThat(DedupConfig.disabled().enabled()).isFalse();
    }
  }

  @Test
  void brokerRetryHorizon_isTheSumOfTheDefaultBackoffOf16Retries() {
    long[] seconds = {
      10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200
    };

    assertThat(java.util.Arrays.stream(seconds).sum())
        .isEqualTo(DedupConfig.BROKER_RETRY_HORIZON_SECONDS);
  }

  @Test
  void dedupConfig_rejectsARenewIntervalNotBelowTheLease() {
    try (JdbcDedupStore store =
        JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp).build())) {
      assertThatThrownBy(
              () ->
                  DedupConfig.custom(store)
                      .lease(Duration.ofSeconds(10))
                      .leaseRenewInterval(Duration.ofSeconds(10))
                      .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("leaseRenewInterval");
      assertThatThrownBy(() -> DedupConfig.custom(store).ttl(Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ttl");
      assertThatThrownBy(
              () ->
                  DedupConfig.custom(store)
                      .ttl(Duration.ofMinutes(5))
                      .cacheTtl(Duration.ofMinutes(10))
                      .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cacheTtl");
      assertThat(DedupConfig.custom(store).ttl(Duration.ofMinutes(5)).build().cacheTtl())
          .isEqualTo(Duration.ofMinutes(5));
    }
  }

  @Test
  void consumerConfig_rejectsBadGroupsMissingSubscriptionsAndThreadCounts() {
    assertThatThrownBy(() -> ReliableConsumerConfig.custom(CLIENT, "bad group"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumerGroup");
    assertThatThrownBy(() -> ReliableConsumerConfig.custom(CLIENT, "g").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subscriptions");
    assertThatThrownBy(() -> ReliableConsumerConfig.custom(CLIENT, "g").consumptionThreadCount(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumptionThreadCount");
  }

  @Test
  void transactionalMode_isRefused_withoutDedupOrWithFailOpen() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:cfg" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    ReliableConsumerConfig noDedup =
        ReliableConsumerConfig.custom(CLIENT, "g").subscribe("t", "*").build();
    assertThatThrownBy(() -> ReliableConsumer.startTransactional(noDedup, ds, (m, c) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dedup");

    try (JdbcDedupStore store =
        JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp).build())) {
      ReliableConsumerConfig failOpen =
          ReliableConsumerConfig.custom(CLIENT, "g")
              .subscribe("t", "*")
              .dedup(
                  DedupConfig.custom(store)
                      .unavailablePolicy(StoreUnavailablePolicy.FAIL_OPEN)
                      .build())
              .build();
      assertThatThrownBy(() -> ReliableConsumer.startTransactional(failOpen, ds, (m, c) -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("FAIL_OPEN");
    }
  }

  @Test
  void receivedMessage_toString_neverShowsTheBodyOrPropertyValues() {
    ReceivedMessage m =
        ReceivedMessage.builder("t", "m1")
            .body("secret-body")
            .properties(java.util.Map.of("token", "secret-value", "reliablemq_id", "id-1"))
            .build();

    assertThat(m.toString()).doesNotContain("secret").contains("id-1").contains("m1");
  }

  @Test
  void connectBackoff_defaultsTo200msUpTo5s_andRejectsValuesOutOfRange() {
    ReliableConsumerConfig c =
        ReliableConsumerConfig.custom(CLIENT, "g").subscribe("t", "*").build();
    assertThat(c.connectInitialBackoff()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.connectMaxBackoff()).isEqualTo(Duration.ofSeconds(5));

    assertThatThrownBy(
            () -> ReliableConsumerConfig.custom(CLIENT, "g").connectInitialBackoff(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectInitialBackoff must be 1 ms..PT5M");
    assertThatThrownBy(
            () ->
                ReliableConsumerConfig.custom(CLIENT, "g").connectMaxBackoff(Duration.ofMinutes(6)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectMaxBackoff must be 1 ms..PT5M");
    assertThatThrownBy(
            () ->
                ReliableConsumerConfig.custom(CLIENT, "g")
                    .subscribe("t", "*")
                    .connectInitialBackoff(Duration.ofSeconds(10))
                    .connectMaxBackoff(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectInitialBackoff must not exceed connectMaxBackoff");
  }
}
