package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A hung broker (SIGSTOP): once the circuit opens, sends are STORED without touching it. */
@ExtendWith(EmbeddedRocketMQExtension.class)
class CircuitIT {
  @TempDir Path storeDir;

  @Test
  void sendsGoStraightToTheStore_onceTheCircuitOpens_onAHungBroker(
      @DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("orders");
    mq.createTopic(topic, TopicType.NORMAL);
    CircuitConfig circuit =
        CircuitConfig.custom()
            .slidingWindowSize(4)
            .minimumNumberOfCalls(4)
            .waitInOpenState(Duration.ofMinutes(5))
            .build();
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 100_000);
        ReliableProducer producer = FallbackFixtures.producer(mq.endpoints(), store, circuit)) {
      assertThat(producer.send(ReliableMessage.builder(topic).body("warm").build()).status())
          .isEqualTo(SendStatus.SENT);

      mq.pause();
      try {
        // Each of these waits for request timeouts before it is stored, until the circuit opens.
        await("the circuit to open")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  producer.send(ReliableMessage.builder(topic).body("hung").build());
                  return producer.circuitState() == CircuitState.OPEN;
                });

        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          SendOutcome o = producer.send(ReliableMessage.builder(topic).body("open-" + i).build());
          assertThat(o.status()).isEqualTo(SendStatus.STORED);
          assertThat(o.attempts()).as("no broker attempt while open").isZero();
          // Far below one request timeout: nothing waited on the hung broker.
          assertThat(o.elapsed()).isLessThan(FallbackFixtures.REQUEST_TIMEOUT);
          micros.add(o.elapsed().toNanos() / 1000);
        }
        Collections.sort(micros);
        System.out.printf(
            "CircuitIT: STORED while open, p50 %d us, p99 %d us, max %d us (200 sends)%n",
            micros.get(100), micros.get(197), micros.get(199));
      } finally {
        mq.resume();
      }
    }
  }
}
