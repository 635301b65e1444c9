package io.reliablemq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.java.exception.NotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parked entry blocks its FIFO group (later entries never pass it), the operator sees the group,
 * and unparking or deleting the entry lets the group drain in order. Real H2 store, scripted
 * client.
 */
class ParkedGroupReplayTest {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();

  @TempDir Path dir;

  private final FakeClientProducer fake = new FakeClientProducer();
  private JdbcFallbackStore store;
  private ReliableProducerImpl producer;
  private StoredEntry g1;
  private StoredEntry g2;
  private StoredEntry g3;

  @BeforeEach
  void parkTheHeadOfGroupG() {
    store = JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(dir).build());
    g1 = store.append(fifo("g-1"), false);
    g2 = store.append(fifo("g-2"), false);
    g3 = store.append(fifo("g-3"), false);
    store.append(ReliableMessage.builder("orders").id("plain-1").body("p").build(), false);
    // The first replayed send, the head of G, gets a non-retryable answer; every later one works.
    fake.thenFail(new NotFoundException(40402, "r", "topic orders not found"));
    producer =
        ReliableProducerImpl.create(
            ReliableProducerConfig.custom(ClientSettings.of("127.0.0.1:1"))
                .circuit(CircuitConfig.custom().enabled(false).build())
                .fallbackStore(store)
                .replay(
                    ReplayConfig.custom()
                        .idlePoll(Duration.ofMillis(20))
                        .initialBackoff(Duration.ofMillis(10))
                        .maxBackoff(Duration.ofMillis(50))
                        .build())
                .build(),
            PROVIDER,
            () -> fake);
    FallbackOperations ops = producer.fallback().orElseThrow();
    // The plain entry passes; G stops at its parked head.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ops.countBlockedGroups() == 1 && store.count() == 3);
  }

  @AfterEach
  void close() {
    producer.close();
    store.close();
  }

  @Test
  void parkedHead_blocksItsGroup_isNamed_andLeavesTheWaitingEntriesUntouched() {
    FallbackOperations ops = producer.fallback().orElseThrow();

    List<BlockedGroup> blocked = ops.blockedGroups(10);

    assertThat(blocked).hasSize(1);
    BlockedGroup g = blocked.get(0);
    assertThat(g.topic()).isEqualTo("orders");
    assertThat(g.messageGroup()).isEqualTo("G");
    assertThat(g.parkedEntryId()).isEqualTo(g1.id());
    assertThat(g.lastError()).hasValueSatisfying(e -> assertThat(e).contains("NotFoundException"));
    assertThat(g.entriesWaiting()).isEqualTo(2);
    for (StoredEntry e : List.of(g2, g3)) {
      StoredEntry after = store.find(e.id()).orElseThrow();
      assertThat(after.attempts()).as(e.id()).isZero();
      assertThat(after.lastError()).as(e.id()).isEmpty();
    }
    assertThat(sentIds()).containsExactly(g1.id(), "plain-1");

    // A new send of the group waits behind the parked entry too.
    SendOutcome later = producer.send(fifo("g-4"));
    assertThat(later.status()).isEqualTo(SendStatus.STORED);
    assertThat(ops.blockedGroups(10).get(0).entriesWaiting()).isEqualTo(3);
  }

  @Test
  void unparkingTheHead_letsTheGroupDrainInOrder() {
    FallbackOperations ops = producer.fallback().orElseThrow();
    producer.send(fifo("g-4"));

    assertThat(ops.unpark(g1.id())).isTrue();

    await().atMost(Duration.ofSeconds(30)).until(() -> store.count() == 0);
    assertThat(ops.countBlockedGroups()).isZero();
    assertThat(sentIds()).containsExactly(g1.id(), "plain-1", g1.id(), g2.id(), g3.id(), "g-4");
  }

  @Test
  void deletingTheHead_letsTheRestOfTheGroupDrainInOrder() {
    FallbackOperations ops = producer.fallback().orElseThrow();
    producer.send(fifo("g-4"));

    assertThat(ops.delete(g1.id())).isTrue();

    await().atMost(Duration.ofSeconds(30)).until(() -> store.count() == 0);
    assertThat(ops.countBlockedGroups()).isZero();
    assertThat(sentIds()).containsExactly(g1.id(), "plain-1", g2.id(), g3.id(), "g-4");
  }

  private List<String> sentIds() {
    synchronized (fake.sent) {
      return fake.sent.stream()
          .map((Message m) -> m.getProperties().get(ReliableMessage.ID_PROPERTY))
          .toList();
    }
  }

  private static ReliableMessage fifo(String id) {
    return ReliableMessage.builder("orders").id(id).body("body of " + id).messageGroup("G").build();
  }
}
