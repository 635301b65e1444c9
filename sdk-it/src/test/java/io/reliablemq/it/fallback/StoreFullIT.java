package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full H2 store says so by exception, and what it holds stays intact. */
class StoreFullIT {
  @TempDir Path storeDir;

  @Test
  void send_throwsStoreFull_whenTheStoreIsFull_andKeepsWhatItHolds() throws IOException {
    String endpoints = "127.0.0.1:" + freePort();
    List<String> stored = new ArrayList<>();
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 5);
        ReliableProducer producer = FallbackFixtures.producer(endpoints, store)) {
      for (int i = 0; i < 5; i++) {
        SendOutcome o = producer.send(ReliableMessage.builder("orders").body("o" + i).build());
        assertThat(o.status()).isEqualTo(SendStatus.STORED);
        stored.add(o.reliableId());
      }

      assertThatThrownBy(
              () -> producer.send(ReliableMessage.builder("orders").body("one too many").build()))
          .isInstanceOfSatisfying(
              FallbackStoreFullException.class, e -> assertThat(e.maxRows()).isEqualTo(5));

      assertThat(store.count()).isEqualTo(5);
      assertThat(stored).allMatch(id -> store.find(id).isPresent());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
