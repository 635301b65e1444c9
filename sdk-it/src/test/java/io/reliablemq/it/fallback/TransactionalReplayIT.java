package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transactional message held in the store (as the outbox mode writes it) is replayed as begin +
 * send + commit, since the proxy rejects a plain send to a TRANSACTION topic.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class TransactionalReplayIT {
  @TempDir Path storeDir;

  @Test
  void storedTransactionalMessages_areReplayedAsCommittedTransactions(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("payments");
    mq.createTopic(topic, TopicType.TRANSACTION);
    List<String> ids = new ArrayList<>();
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 1000)) {
      for (int i = 0; i < 5; i++) {
        String id = "tx-" + EmbeddedRocketMQ.uniqueName("p");
        store.append(ReliableMessage.builder(topic).body("paid-" + i).id(id).build(), true);
        ids.add(id);
      }
      try (ReliableProducer producer = FallbackFixtures.producer(mq.endpoints(), store);
          RawConsumer consumer =
              RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic)) {
        await("the store to drain").atMost(Duration.ofSeconds(60)).until(() -> store.count() == 0);
        await("every committed message")
            .atMost(Duration.ofSeconds(60))
            .until(() -> consumer.receivedIds().containsAll(ids));
        assertThat(producer.fallback().orElseThrow().count()).isZero();
      }
    }
  }
}
