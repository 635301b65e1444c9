package io.reliablemq.it.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import io.reliablemq.ReliableMQException;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code close()} with 1,000 {@code sendAsync} in flight against a hung (SIGSTOP) broker: every
 * future is complete when close returns, each one SENT or STORED (a named exception would be
 * counted and fail the test), and every STORED message is in the store file after it is reopened.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class GracefulCloseIT {
  private static final int IN_FLIGHT = 1000;

  @TempDir Path storeDir;

  @Test
  void close_endsEveryInFlightSendSentOrStored_whenBrokerPaused(
      @DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("closing");
    mq.createTopic(topic, TopicType.NORMAL);
    List<CompletableFuture<SendOutcome>> futures = new ArrayList<>();
    Map<String, Integer> ended = new TreeMap<>();
    List<String> storedIds = new ArrayList<>();
    long inFlightAtClose;
    long closeMillis;
    try (FallbackStore store = FallbackFixtures.h2Store(storeDir, 100_000)) {
      ReliableProducer producer = ReliableProducer.create(config(mq.endpoints(), store));
      try {
        assertThat(producer.send(ReliableMessage.builder(topic).body("warm").build()).status())
            .isEqualTo(SendStatus.SENT);
        mq.pause();
        for (int i = 0; i < IN_FLIGHT; i++) {
          futures.add(producer.sendAsync(ReliableMessage.builder(topic).body("m" + i).build()));
        }
        inFlightAtClose = futures.stream().filter(f -> !f.isDone()).count();
      } finally {
        long t0 = System.nanoTime();
        producer.close();
        closeMillis = (System.nanoTime() - t0) / 1_000_000;
      }
      assertThat(futures)
          .as("every future complete when close() returns")
          .allMatch(f -> f.isDone());
      for (CompletableFuture<SendOutcome> f : futures) {
        try {
          SendOutcome o = f.join();
          ended.merge(o.status().name(), 1, Integer::sum);
          if (o.status() == SendStatus.STORED) {
            storedIds.add(o.reliableId());
          }
        } catch (CompletionException e) {
          Throwable cause = e.getCause();
          String kind =
              (cause instanceof ReliableMQException ? "named " : "UNNAMED ")
                  + cause.getClass().getSimpleName();
          ended.merge(kind, 1, Integer::sum);
        }
      }
    } finally {
      mq.resume();
    }
    System.out.printf(
        "GracefulCloseIT: %d sendAsync, %d in flight at close, close() took %d ms, ended %s%n",
        IN_FLIGHT, inFlightAtClose, closeMillis, ended);

    // The fault happened: the hung broker answered none of them before close.
    assertThat(inFlightAtClose).isEqualTo(IN_FLIGHT);
    assertThat(ended).containsOnlyKeys("STORED");
    assertThat(storedIds).hasSize(IN_FLIGHT);
    try (FallbackStore reopened = FallbackFixtures.h2Store(storeDir, 100_000)) {
      assertThat(storedIds).allMatch(id -> reopened.find(id).isPresent());
      assertThat(reopened.count()).isEqualTo(IN_FLIGHT);
    }
  }

  private static ReliableProducerConfig config(String endpoints, FallbackStore store) {
    return ReliableProducerConfig.custom(
            ClientSettings.custom()
                .endpoints(endpoints)
                .sslEnabled(false)
                .requestTimeout(FallbackFixtures.REQUEST_TIMEOUT)
                .build())
        .retry(
            // Far more patience than the test has: at close every send is still retrying.
            SendRetryConfig.custom()
                .maxAttempts(20)
                .initialBackoff(Duration.ofMillis(500))
                .maxBackoff(Duration.ofSeconds(2))
                .totalDeadline(Duration.ofMinutes(5))
                .build())
        .circuit(CircuitConfig.custom().enabled(false).build())
        .fallbackStore(store)
        .replay(ReplayConfig.custom().enabled(false).build())
        .closeDrainTime(Duration.ofSeconds(3))
        .build();
  }
}
