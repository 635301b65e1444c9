package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole MQ goes down: sends come back STORED, and after the broker returns the replayer
 * delivers every one of them, FIFO groups in send order across the outage, delay messages not
 * before their time.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class OutageRecoveryIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final List<String> BUYERS = List.of("buyer-a", "buyer-b", "buyer-c");

  @TempDir Path storeDir;

  @Test
  void sendsDuringAnOutage_areStored_thenReplayedInOrder(@DedicatedBroker EmbeddedRocketMQ mq) {
    String normal = EmbeddedRocketMQ.uniqueName("orders");
    String fifo = EmbeddedRocketMQ.uniqueName("orders-fifo");
    String delay = EmbeddedRocketMQ.uniqueName("cancel");
    String fifoGroup = EmbeddedRocketMQ.uniqueName("g-fifo");
    mq.createTopic(normal, TopicType.NORMAL);
    mq.createTopic(fifo, TopicType.FIFO);
    mq.createTopic(delay, TopicType.DELAY);
    mq.createConsumerGroup(fifoGroup, true);

    List<SendOutcome> acknowledged = new ArrayList<>();
    Map<String, Instant> delayDeliveryTimes = new HashMap<>();
    int[] seq = {0};
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 100_000);
        ReliableProducer producer = FallbackFixtures.producer(mq.endpoints(), store)) {
      Runnable wave =
          () -> {
            for (int i = 0; i < 10; i++) {
              acknowledged.add(
                  producer.send(ReliableMessage.builder(normal).body("n" + seq[0]).build()));
              for (String buyer : BUYERS) {
                acknowledged.add(
                    producer.send(
                        ReliableMessage.builder(fifo)
                            .body(buyer + ":" + seq[0])
                            .messageGroup(buyer)
                            .build()));
              }
              seq[0]++;
            }
            Instant at = Instant.now().plusSeconds(8);
            SendOutcome d =
                producer.send(ReliableMessage.builder(delay).body("d").deliveryTime(at).build());
            acknowledged.add(d);
            delayDeliveryTimes.put(d.reliableId(), at);
          };

      wave.run();
      assertThat(acknowledged).allMatch(o -> o.status() == SendStatus.SENT);

      mq.kill();
      int before = acknowledged.size();
      wave.run();
      List<SendOutcome> duringOutage = acknowledged.subList(before, acknowledged.size());
      assertThat(duringOutage).allMatch(o -> o.status() == SendStatus.STORED);
      assertThat(store.count()).isEqualTo(duringOutage.size());

      mq.restart();
      await("the replayer to drain the store").atMost(TIMEOUT).until(() -> store.count() == 0);
      wave.run();
    }

    Set<String> expected =
        acknowledged.stream().map(SendOutcome::reliableId).collect(Collectors.toSet());
    try (RawConsumer normalConsumer =
            RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), normal);
        RawConsumer fifoConsumer = RawConsumer.start(mq.endpoints(), fifoGroup, fifo);
        RawConsumer delayConsumer =
            RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), delay)) {
      await("every acknowledged message")
          .atMost(TIMEOUT)
          .until(
              () -> {
                Set<String> got = ids(normalConsumer);
                got.addAll(ids(fifoConsumer));
                got.addAll(ids(delayConsumer));
                return got.containsAll(expected);
              });

      Map<String, List<Integer>> byGroup = new HashMap<>();
      for (RawConsumer.Received r : fifoConsumer.received()) {
        byGroup
            .computeIfAbsent(r.messageGroup.orElseThrow(), g -> new ArrayList<>())
            .add(Integer.parseInt(r.body.substring(r.body.indexOf(':') + 1)));
      }
      for (String buyer : BUYERS) {
        // Redeliveries may repeat a number; order means never going back.
        List<Integer> distinctInArrivalOrder =
            byGroup.get(buyer).stream().distinct().collect(Collectors.toList());
        assertThat(distinctInArrivalOrder).as(buyer).isSorted().hasSize(30);
      }
      for (RawConsumer.Received r : delayConsumer.received()) {
        Instant at = delayDeliveryTimes.get(r.reliableId());
        // The broker's timer wheel has a precision of one second.
        assertThat(r.receivedAt).isAfterOrEqualTo(at.minusSeconds(1));
      }
    }
  }

  @Test
  void appStartedWhileTheBrokerIsDown_storesThenReplays(@DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("orders");
    mq.createTopic(topic, TopicType.NORMAL);
    mq.stop();
    List<String> stored = new ArrayList<>();
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 100_000);
        ReliableProducer producer = FallbackFixtures.producer(mq.endpoints(), store)) {
      for (int i = 0; i < 20; i++) {
        SendOutcome o = producer.send(ReliableMessage.builder(topic).body("o" + i).build());
        assertThat(o.status()).isEqualTo(SendStatus.STORED);
        stored.add(o.reliableId());
      }

      mq.restart();
      await("the replayer to drain the store").atMost(TIMEOUT).until(() -> store.count() == 0);
    }
    try (RawConsumer consumer =
        RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic)) {
      await("every stored message").atMost(TIMEOUT).until(() -> ids(consumer).containsAll(stored));
    }
  }

  private static Set<String> ids(RawConsumer consumer) {
    return consumer.receivedIds();
  }
}
