package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sendAsync} keeps the promise of {@code send}: SENT through the broker, STORED without it.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class AsyncSendIT {
  @TempDir Path storeDir;

  @Test
  void sendAsync_isSentAndReceived_whenTheBrokerIsUp(EmbeddedRocketMQ mq) throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("async");
    mq.createTopic(topic, TopicType.NORMAL);
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 1000);
        ReliableProducer producer = FallbackFixtures.producer(mq.endpoints(), store);
        RawConsumer consumer =
            RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic)) {
      List<SendOutcome> outcomes = sendAll(producer, topic, 50);

      assertThat(outcomes).allMatch(o -> o.status() == SendStatus.SENT);
      List<String> ids = outcomes.stream().map(SendOutcome::reliableId).toList();
      await("every async send")
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.receivedIds().containsAll(ids));
      assertThat(store.count()).isZero();
    }
  }

  @Test
  void sendAsync_isStored_whenNothingListens() throws Exception {
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 1000);
        ReliableProducer producer = FallbackFixtures.producer("127.0.0.1:" + freePort(), store)) {
      List<SendOutcome> outcomes = sendAll(producer, "orders", 20);

      assertThat(outcomes).allMatch(o -> o.status() == SendStatus.STORED);
      assertThat(outcomes).allMatch(o -> store.find(o.reliableId()).isPresent());
    }
  }

  private static List<SendOutcome> sendAll(ReliableProducer producer, String topic, int n)
      throws Exception {
    List<CompletableFuture<SendOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(producer.sendAsync(ReliableMessage.builder(topic).body("a" + i).build()));
    }
    List<SendOutcome> outcomes = new ArrayList<>();
    for (CompletableFuture<SendOutcome> f : futures) {
      outcomes.add(f.get(60, TimeUnit.SECONDS));
    }
    return outcomes;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
