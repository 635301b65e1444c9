package io.reliablemq.it.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.it.support.RawConsumer;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.test.DedicatedBroker;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionUnavailableException;
import io.reliablemq.transaction.TransactionalSender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is down when the business wants to send: without the outbox nothing happens locally
 * and {@link TransactionUnavailableException} says so; with the outbox the business effect commits
 * with the message row, and the message is delivered once the broker is back.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class TransactionOutageIT {
  @TempDir Path dbDir;

  @Test
  void brokerDown_throwsUnavailable_outboxMode_commitsAndDeliversAfterRestart(
      @DedicatedBroker EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("tx-outage");
    mq.createTopic(topic, TopicType.TRANSACTION);
    JdbcDataSource ds = TxFixtures.database(dbDir);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    mq.stop();

    // Without the outbox: nothing runs, nothing is written.
    String lost = EmbeddedRocketMQ.uniqueName("order");
    AtomicInteger ran = new AtomicInteger();
    try (TransactionalSender plain = TxFixtures.sender(mq.endpoints(), ds, topic, registry)) {
      assertThatThrownBy(
              () ->
                  plain.send(
                      ReliableMessage.builder(topic).body("order").id(lost).build(),
                      c -> {
                        ran.incrementAndGet();
                        TxFixtures.insertOrder(c, lost);
                        return null;
                      }))
          .isInstanceOfSatisfying(
              TransactionUnavailableException.class,
              e -> {
                assertThat(e.reliableId()).isEqualTo(lost);
                assertThat(e.attempts()).isGreaterThanOrEqualTo(1);
              });
    }
    assertThat(ran).hasValue(0);
    assertThat(TxFixtures.orderExists(ds, lost)).isFalse();
    assertThat(TxFixtures.logStatus(ds, lost)).isNull();

    // With the outbox in the business database: the effect and the message commit together.
    String kept = EmbeddedRocketMQ.uniqueName("order");
    try (JdbcFallbackStore outbox =
            JdbcFallbackStore.create(ds, H2Dialect.INSTANCE, FallbackStoreConfig.ofDefaults());
        TransactionalSender sender =
            TxFixtures.sender(mq.endpoints(), ds, topic, registry, null, outbox)) {
      TransactionResult<Object> r =
          sender.send(
              ReliableMessage.builder(topic).body("order").id(kept).build(),
              c -> {
                TxFixtures.insertOrder(c, kept);
                return null;
              });
      assertThat(r.status()).isEqualTo(TransactionStatus.STORED);
      assertThat(TxFixtures.orderExists(ds, kept)).isTrue();
      assertThat(outbox.find(kept)).isPresent();

      mq.restart();
      try (RawConsumer consumer =
          RawConsumer.start(mq.endpoints(), EmbeddedRocketMQ.uniqueName("g"), topic)) {
        await("the outbox message after the broker returned")
            .atMost(Duration.ofSeconds(90))
            .until(() -> consumer.received().stream().anyMatch(m -> kept.equals(m.reliableId())));
        await("the outbox to drain")
            .atMost(Duration.ofSeconds(30))
            .until(() -> outbox.count() == 0);
      }
    }
    assertThat(registry.get("reliablemq.tx").tag("outcome", "failed").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("reliablemq.tx").tag("outcome", "committed").counter().count())
        .isEqualTo(1.0);
  }
}
