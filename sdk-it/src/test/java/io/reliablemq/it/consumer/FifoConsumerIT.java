package io.reliablemq.it.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** FIFO consumption through {@link ReliableConsumer}: one message group, in order, once each. */
@ExtendWith(EmbeddedRocketMQExtension.class)
class FifoConsumerIT {
  @TempDir Path tmp;

  @Test
  void messagesOfOneGroup_areHandledInOrderOnceEach_evenWhenOneFailsAndIsRetried(
      EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("fifo");
    String group = EmbeddedRocketMQ.uniqueName("fg");
    mq.createTopic(topic, TopicType.FIFO);
    mq.createConsumerGroup(group, true);
    int count = 20;
    List<String> handled = new CopyOnWriteArrayList<>();
    AtomicBoolean failedOnce = new AtomicBoolean();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    try (JdbcDedupStore store = ConsumerFixtures.h2Store(tmp);
        ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ConsumerFixtures.config(mq.endpoints(), group, topic, store).build(),
                m -> {
                  maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                  try {
                    if (m.bodyAsString().equals("5") && failedOnce.compareAndSet(false, true)) {
                      throw new IllegalStateException("transient");
                    }
                    handled.add(m.bodyAsString());
                  } finally {
                    concurrent.decrementAndGet();
                  }
                })) {
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        producer.send(
            ReliableMessage.builder(topic).body(Integer.toString(i)).messageGroup("g1").build());
        sent.add(Integer.toString(i));
      }

      await("every message").atMost(Duration.ofSeconds(60)).until(() -> handled.size() >= count);

      assertThat(handled).containsExactlyElementsOf(sent);
      assertThat(failedOnce).isTrue();
      assertThat(maxConcurrent).hasValue(1);
    }
  }
}
