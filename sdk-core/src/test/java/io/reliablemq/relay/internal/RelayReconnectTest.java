package io.reliablemq.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.relay.RelayConfig;
import io.reliablemq.testsupport.FakeProxyPort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's simple consumer is replaced once the proxy listens again while its receives still
 * fail on the transport, and the old one is closed. The clients are fakes; the proxy is a local
 * port that opens and closes.
 */
class RelayReconnectTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final FakeProxyPort proxy = new FakeProxyPort();
  private final List<FakeSimpleConsumer> built = new CopyOnWriteArrayList<>();

  @AfterEach
  void shut() {
    proxy.close();
  }

  @Test
  void consumer_isReplacedAndTheOldOneClosed_whenTheProxyListensAgain() throws Exception {
    RelayConfig config =
        RelayConfig.custom(
                ClientSettings.custom()
                    .endpoints(proxy.endpoints())
                    .reconnectProbeInterval(Duration.ofMillis(100))
                    .build(),
                "source",
                "relay-group",
                "target")
            .build();
    BacklogRelayImpl relay =
        BacklogRelayImpl.start(
            config,
            new UnusedProducer(),
            () -> {
              // The first client is cut off for good, as the 5.2.0 client is until its gRPC
              // reconnect backoff ends; the ones built later work.
              FakeSimpleConsumer c = new FakeSimpleConsumer(built.isEmpty());
              built.add(c);
              return c;
            });
    try {
      FakeSimpleConsumer first = built.get(0);
      // The fault happened: receives fail while nothing listens, and nothing is replaced.
      await().atMost(TIMEOUT).until(() -> first.receives.get() >= 2);
      assertThat(relay.consumerReplacements()).isZero();

      proxy.open();

      await().atMost(TIMEOUT).until(() -> relay.consumerReplacements() == 1);
      assertThat(built).hasSize(2);
      await().atMost(TIMEOUT).until(() -> first.closed.get());
      await().atMost(TIMEOUT).until(() -> built.get(1).receives.get() >= 1);
      assertThat(built.get(1).closed.get()).isFalse();
    } finally {
      relay.close();
    }
    assertThat(built.get(1).closed.get()).isTrue();
  }

  /** The relay never sends here: no message is ever received. */
  private static final class UnusedProducer implements ReliableProducer {
    @Override
    public SendOutcome send(ReliableMessage message) {
      throw new AssertionError("no message to relay");
    }

    @Override
    public CompletableFuture<SendOutcome> sendAsync(ReliableMessage message) {
      throw new AssertionError("no message to relay");
    }

    @Override
    public Optional<FallbackOperations> fallback() {
      return Optional.empty();
    }

    @Override
    public CircuitState circuitState() {
      return CircuitState.CLOSED;
    }

    @Override
    public void close() {}
  }

  private static final class FakeSimpleConsumer implements SimpleConsumer {
    final boolean cutOff;
    final AtomicInteger receives = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();

    FakeSimpleConsumer(boolean cutOff) {
      this.cutOff = cutOff;
    }

    @Override
    public String getConsumerGroup() {
      return "relay-group";
    }

    @Override
    public SimpleConsumer subscribe(String topic, FilterExpression filterExpression) {
      return this;
    }

    @Override
    public SimpleConsumer unsubscribe(String topic) {
      return this;
    }

    @Override
    public Map<String, FilterExpression> getSubscriptionExpressions() {
      return Map.of();
    }

    @Override
    public List<MessageView> receive(int maxMessageNum, Duration invisibleDuration) {
      receives.incrementAndGet();
      if (cutOff) {
        throw Status.UNAVAILABLE.asRuntimeException();
      }
      try {
        // The long poll of an empty queue.
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return List.of();
    }

    @Override
    public CompletableFuture<List<MessageView>> receiveAsync(
        int maxMessageNum, Duration invisibleDuration) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void ack(MessageView messageView) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> ackAsync(MessageView messageView) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void changeInvisibleDuration(MessageView messageView, Duration invisibleDuration) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> changeInvisibleDurationAsync(
        MessageView messageView, Duration invisibleDuration) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }
}
