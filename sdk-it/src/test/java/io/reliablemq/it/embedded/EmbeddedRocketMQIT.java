package io.reliablemq.it.embedded;

import static io.reliablemq.it.support.BoundedClose.closeWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageBuilder;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.apis.producer.Transaction;
import org.apache.rocketmq.client.apis.producer.TransactionResolution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Uses reliablemq-test the way an outside project would: as a test dependency next to
 * rocketmq-client-java, with the raw client.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class EmbeddedRocketMQIT {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();

  private static ClientConfiguration clientConfig(EmbeddedRocketMQ mq, Duration requestTimeout) {
    return ClientConfiguration.newBuilder()
        .setEndpoints(mq.endpoints())
        .enableSsl(false)
        .setRequestTimeout(requestTimeout)
        .build();
  }

  private static Producer producer(EmbeddedRocketMQ mq, String topic) throws Exception {
    return PROVIDER
        .newProducerBuilder()
        .setClientConfiguration(clientConfig(mq, Duration.ofSeconds(3)))
        .setTopics(topic)
        .build();
  }

  private static Message message(String topic, String body) {
    return PROVIDER
        .newMessageBuilder()
        .setTopic(topic)
        .setBody(body.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  @Test
  void brokerJarsAreNotOnTheTestClasspath() {
    String classpath = System.getProperty("java.class.path");
    for (String entry : classpath.split(File.pathSeparator)) {
      String name = new File(entry).getName();
      assertThat(name)
          .doesNotStartWith("rocketmq-proxy")
          .doesNotStartWith("rocketmq-broker")
          .doesNotStartWith("rocketmq-proto")
          .doesNotStartWith("rocketmq-namesrv")
          .doesNotStartWith("rocketmq-store");
    }
    assertThat(classpath).contains("rocketmq-client-java");
  }

  @Test
  void sendsAndReceivesNormalMessage(EmbeddedRocketMQ mq) throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("normal");
    String group = EmbeddedRocketMQ.uniqueName("group");
    mq.createTopic(topic, TopicType.NORMAL);
    List<String> received = new CopyOnWriteArrayList<>();
    try (PushConsumer consumer =
            PROVIDER
                .newPushConsumerBuilder()
                .setClientConfiguration(clientConfig(mq, Duration.ofSeconds(3)))
                .setConsumerGroup(group)
                .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL))
                .setMessageListener(
                    view -> {
                      received.add(StandardCharsets.UTF_8.decode(view.getBody()).toString());
                      return ConsumeResult.SUCCESS;
                    })
                .build();
        Producer producer = producer(mq, topic)) {
      SendReceipt receipt = producer.send(message(topic, "hello"));
      assertThat(receipt.getMessageId()).isNotNull();
      await("the message").atMost(Duration.ofSeconds(60)).until(() -> received.contains("hello"));
    }
  }

  @Test
  void everyTopicTypeAcceptsItsMessageType(EmbeddedRocketMQ mq) throws Exception {
    for (TopicType type : TopicType.values()) {
      String topic = EmbeddedRocketMQ.uniqueName(type.name().toLowerCase());
      mq.createTopic(topic, type, 2);
      MessageBuilder builder =
          PROVIDER
              .newMessageBuilder()
              .setTopic(topic)
              .setBody(type.name().getBytes(StandardCharsets.UTF_8));
      switch (type) {
        case FIFO -> builder.setMessageGroup("g1");
        case DELAY -> builder.setDeliveryTimestamp(System.currentTimeMillis() + 5_000);
        default -> {}
      }
      if (type == TopicType.TRANSACTION) {
        try (Producer producer =
            PROVIDER
                .newProducerBuilder()
                .setClientConfiguration(clientConfig(mq, Duration.ofSeconds(3)))
                .setTopics(topic)
                .setTransactionChecker(view -> TransactionResolution.COMMIT)
                .build()) {
          Transaction tx = producer.beginTransaction();
          assertThat(producer.send(builder.build(), tx).getMessageId()).isNotNull();
          tx.commit();
        }
      } else {
        try (Producer producer = producer(mq, topic)) {
          assertThat(producer.send(builder.build()).getMessageId()).isNotNull();
        }
      }
    }
    mq.createConsumerGroup(EmbeddedRocketMQ.uniqueName("fifo-group"), true);
  }

  @Test
  void mismatchedMessageTypeIsRejected(EmbeddedRocketMQ mq) throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("fifo-only");
    mq.createTopic(topic, TopicType.FIFO, 1);
    try (Producer producer = producer(mq, topic)) {
      assertThatThrownBy(() -> producer.send(message(topic, "no group"))).isNotNull();
    }
  }

  @Test
  void survivesKillAndRestart(@DedicatedBroker EmbeddedRocketMQ mq) throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("crash");
    mq.createTopic(topic, TopicType.NORMAL);
    Producer producer = producer(mq, topic);
    try {
      producer.send(message(topic, "before"));
      long pid = mq.pid();
      mq.kill();
      assertThat(mq.isRunning()).isFalse();
      assertThat(ProcessHandle.of(pid)).isEmpty();
      assertThatThrownBy(() -> producer.send(message(topic, "while down"))).isNotNull();
      mq.restart();
      assertThat(mq.isRunning()).isTrue();
      // Same ports, same store: the topic survived and the old producer reconnects.
      // The broker may still be coming back: retried until a send succeeds.
      await("a send after the restart")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> producer.send(message(topic, "after")), Objects::nonNull);
    } finally {
      closeWithin(producer, Duration.ofSeconds(10));
    }
  }

  @Test
  void pausedBrokerTimesOutThenRecovers(@DedicatedBroker EmbeddedRocketMQ mq) throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("hang");
    mq.createTopic(topic, TopicType.NORMAL);
    Producer producer =
        PROVIDER
            .newProducerBuilder()
            .setClientConfiguration(clientConfig(mq, Duration.ofSeconds(1)))
            .setTopics(topic)
            .setMaxAttempts(1)
            .build();
    try {
      producer.send(message(topic, "before"));
      mq.pause();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> producer.send(message(topic, "while paused"))).isNotNull();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      mq.resume();
      // The broker may still be coming back: retried until a send succeeds.
      await("a send after the resume")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> producer.send(message(topic, "after")), Objects::nonNull);
    } finally {
      closeWithin(producer, Duration.ofSeconds(10));
    }
  }

  @Test
  void measuresStartToFirstSend() throws Exception {
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      try (EmbeddedRocketMQ mq = EmbeddedRocketMQ.builder().build().start()) {
        long started = System.nanoTime();
        String topic = EmbeddedRocketMQ.uniqueName("first");
        mq.createTopic(topic, TopicType.NORMAL);
        long created = System.nanoTime();
        try (Producer producer = producer(mq, topic)) {
          long built = System.nanoTime();
          producer.send(message(topic, "first"));
          long sent = System.nanoTime();
          millis.add((sent - t0) / 1_000_000);
          System.out.printf(
              "run %d: start %d ms, createTopic %d ms, producer build %d ms, first send %d ms%n",
              i,
              (started - t0) / 1_000_000,
              (created - started) / 1_000_000,
              (built - created) / 1_000_000,
              (sent - built) / 1_000_000);
        }
      }
    }
    List<Long> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    System.out.printf(
        "EmbeddedRocketMQ start-to-first-send ms: runs=%s min=%d median=%d max=%d%n",
        millis, sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    assertThat(sorted.get(sorted.size() - 1)).isLessThan(90_000L);
  }
}
