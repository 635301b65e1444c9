package io.reliablemq.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.message.ReliableMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.apis.consumer.MessageListener;
import org.apache.rocketmq.client.apis.message.MessageId;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIFO messages waiting in the order guard never starve their predecessors of consumption threads.
 * The client's listener is synchronous, so a waiting message holds a thread of the push consumer's
 * pool; here the pool is the size the consumer asks the client for, and the successors of two moved
 * groups arrive before their predecessors, as many as there are handler threads.
 */
class OrderGuardHeadroomTest {
  private static final Duration GUARD_WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private JdbcDedupStore store;
  private ExecutorService pool;
  private ReliableConsumerImpl consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
    if (pool != null) {
      pool.shutdownNow();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void predecessorsRun_whileAsManySuccessorsAsHandlerThreadsWaitForThem() {
    int handlerThreads = 2;
    store = JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp).build());
    ReliableConsumerConfig config =
        ReliableConsumerConfig.custom(ClientSettings.of("127.0.0.1:1"), "g")
            .subscribe("t", "*")
            .consumptionThreadCount(handlerThreads)
            .dedup(DedupConfig.custom(store).orderGuardWait(GUARD_WAIT).build())
            .build();
    AtomicReference<MessageListener> listener = new AtomicReference<>();
    List<String> handled = new CopyOnWriteArrayList<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostRunning = new AtomicInteger();
    consumer =
        ReliableConsumerImpl.sync(
            config,
            m -> {
              mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              handled.add(m.properties().get(ReliableMessage.ID_PROPERTY));
              running.decrementAndGet();
            },
            (c, l) -> {
              listener.set(l);
              return new FakePushConsumer();
            });
    // The pool the 5.2.0 client builds: exactly the thread count it is given.
    pool = Executors.newFixedThreadPool(ReliableConsumerImpl.clientThreads(config));

    // Two groups moved queue: each successor is delivered (from its new queue) before its
    // predecessor (from the old one), and the two successors take as many threads as handlers.
    for (FakeView v :
        List.of(
            new FakeView("b1", "g1", "a1"),
            new FakeView("b2", "g2", "a2"),
            new FakeView("a1", "g1", null),
            new FakeView("a2", "g2", null))) {
      pool.execute(() -> listener.get().consume(v));
    }

    // Well inside the guard's 60 s: only a predecessor that ran releases its successor.
    await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 4);
    assertThat(handled.indexOf("a1")).isLessThan(handled.indexOf("b1"));
    assertThat(handled.indexOf("a2")).isLessThan(handled.indexOf("b2"));
    assertThat(mostRunning.get()).isLessThanOrEqualTo(handlerThreads);
  }

  /** A FIFO message of topic t with the SDK's id and, if given, its predecessor's id. */
  private static final class FakeView implements MessageView {
    private final String id;
    private final String group;
    private final Map<String, String> properties = new HashMap<>();
    private final long born = System.currentTimeMillis();

    FakeView(String id, String group, String previous) {
      this.id = id;
      this.group = group;
      properties.put(ReliableMessage.ID_PROPERTY, id);
      if (previous != null) {
        properties.put(ReliableMessage.PREVIOUS_ID_PROPERTY, previous);
      }
    }

    @Override
    public MessageId getMessageId() {
      return new MessageId() {
        @Override
        public String getVersion() {
          return "V1";
        }

        @Override
        public String toString() {
          return "broker-" + id;
        }
      };
    }

    @Override
    public String getTopic() {
      return "t";
    }

    @Override
    public ByteBuffer getBody() {
      return ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Map<String, String> getProperties() {
      return properties;
    }

    @Override
    public Optional<String> getTag() {
      return Optional.empty();
    }

    @Override
    public Collection<String> getKeys() {
      return List.of();
    }

    @Override
    public Optional<String> getMessageGroup() {
      return Optional.of(group);
    }

    @Override
    public Optional<String> getLiteTopic() {
      return Optional.empty();
    }

    @Override
    public Optional<Long> getDeliveryTimestamp() {
      return Optional.empty();
    }

    @Override
    public Optional<Integer> getPriority() {
      return Optional.empty();
    }

    @Override
    public String getBornHost() {
      return "127.0.0.1";
    }

    @Override
    public long getBornTimestamp() {
      return born;
    }

    @Override
    public int getDeliveryAttempt() {
      return 1;
    }
  }
}
