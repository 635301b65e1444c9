package io.reliablemq.fallback.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.fallback.CapacityReservation;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.message.ReliableMessage;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Room reserved in the store counts as held until an append consumes it or it is released. */
class H2CapacityReservationTest {
  @TempDir Path dir;

  private JdbcFallbackStore store(long maxRows, long maxBytes) {
    return JdbcFallbackStore.h2(
        FallbackStoreConfig.custom().directory(dir).maxRows(maxRows).maxBytes(maxBytes).build());
  }

  private static ReliableMessage message(int bodyBytes) {
    return ReliableMessage.builder("orders")
        .body(new byte[bodyBytes])
        .id(UUID.randomUUID().toString())
        .build();
  }

  @Test
  void reserve_refusesRoomThatIsReserved_untilReleased() {
    try (JdbcFallbackStore store = store(100, 1000)) {
      CapacityReservation first = store.reserve(600);

      assertThatThrownBy(() -> store.reserve(600))
          .isInstanceOf(FallbackStoreFullException.class)
          .hasMessageContaining("600 of 1000 bytes");
      assertThatThrownBy(() -> store.append(message(600), false))
          .isInstanceOf(FallbackStoreFullException.class);

      first.release();
      first.release();
      store.reserve(600).release();
      assertThat(store.count()).isZero();
    }
  }

  @Test
  void append_intoAReservation_isNotRefused_andCountsItOnce() {
    try (JdbcFallbackStore store = store(2, 1_000_000)) {
      CapacityReservation a = store.reserve(10);
      CapacityReservation b = store.reserve(10);
      assertThatThrownBy(() -> store.reserve(10)).isInstanceOf(FallbackStoreFullException.class);

      store.append(message(10), false, a);
      a.release(); // consumed: does not give the stored entry's room back
      assertThatThrownBy(() -> store.reserve(10)).isInstanceOf(FallbackStoreFullException.class);
      store.append(message(10), false, b);

      assertThat(store.count()).isEqualTo(2);
      assertThatThrownBy(() -> store.append(message(10), false))
          .isInstanceOf(FallbackStoreFullException.class);
    }
  }
}
