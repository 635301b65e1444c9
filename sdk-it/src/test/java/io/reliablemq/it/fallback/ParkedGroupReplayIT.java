package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO group stored for a topic the broker does not know: the real broker's non-retryable answer
 * parks the group's head, the group is named as blocked and waits untouched behind it; once the
 * operator creates the topic and unparks the entry, the whole group arrives in order.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class ParkedGroupReplayIT {
  @TempDir Path storeDir;

  @Test
  void parkedHead_blocksItsGroup_untilUnparked_thenTheGroupArrivesInOrder(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("fifo-late");
    List<String> ids = new ArrayList<>();
    try (JdbcFallbackStore store = FallbackFixtures.h2Store(storeDir, 1000)) {
      for (int i = 0; i < 5; i++) {
        String id = "parked-" + EmbeddedRocketMQ.uniqueName("m");
        store.append(
            ReliableMessage.builder(topic).id(id).body("m" + i).messageGroup("G").build(), false);
        ids.add(id);
      }
      try (ReliableProducer producer = FallbackFixtures.producer(mq.endpoints(), store)) {
        FallbackOperations ops = producer.fallback().orElseThrow();
        await("the group's head to be parked")
            .atMost(Duration.ofSeconds(60))
            .until(() -> ops.countBlockedGroups() == 1);

        List<BlockedGroup> blocked = ops.blockedGroups(10);
        assertThat(blocked).hasSize(1);
        assertThat(blocked.get(0).topic()).isEqualTo(topic);
        assertThat(blocked.get(0).messageGroup()).isEqualTo("G");
        assertThat(blocked.get(0).parkedEntryId()).isEqualTo(ids.get(0));
        assertThat(blocked.get(0).lastError()).hasValueSatisfying(e -> assertThat(e).isNotBlank());
        assertThat(blocked.get(0).entriesWaiting()).isEqualTo(4);
        for (String id : ids.subList(1, ids.size())) {
          StoredEntry waiting = store.find(id).orElseThrow();
          assertThat(waiting.attempts()).as("attempts of %s", id).isZero();
          assertThat(waiting.lastError()).as("last error of %s", id).isEmpty();
        }
        // A new send of the group waits behind the parked head instead of overtaking it.
        String late = "parked-" + EmbeddedRocketMQ.uniqueName("late");
        assertThat(
                producer
                    .send(
                        ReliableMessage.builder(topic)
                            .id(late)
                            .body("late")
                            .messageGroup("G")
                            .build())
                    .status())
            .isEqualTo(SendStatus.STORED);
        ids.add(late);

        // The operator fixes the cause and unparks the head.
        String consumerGroup = EmbeddedRocketMQ.uniqueName("parked-g");
        mq.createTopic(topic, TopicType.FIFO);
        mq.createConsumerGroup(consumerGroup, true);
        // The proxy caches the route lookup that failed for a while: the consumer (and so a replay)
        // sees the new topic only once that entry is refreshed.
        try (RawConsumer consumer =
            await("the proxy to serve the new topic's route")
                .atMost(Duration.ofSeconds(120))
                .ignoreExceptions()
                .until(
                    () -> RawConsumer.start(mq.endpoints(), consumerGroup, topic),
                    Objects::nonNull)) {
          assertThat(ops.unpark(ids.get(0))).isTrue();

          await("the store to drain")
              .atMost(Duration.ofSeconds(60))
              .until(() -> store.count() == 0);
          await("the whole group at the consumer")
              .atMost(Duration.ofSeconds(60))
              .until(() -> consumer.receivedIds().size() >= ids.size());
          assertThat(ops.countBlockedGroups()).isZero();
          assertThat(List.copyOf(consumer.receivedIds())).isEqualTo(ids);
        }
      }
    }
  }
}
