package io.reliablemq.examples.plain;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionalSender;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The three building blocks in plain Java: a producer that stores locally when the broker is down,
 * a consumer that runs the handler once per logical message, and a transactional sender that sends
 * a message if and only if a database transaction commits.
 *
 * <p>Run it with {@code mvn -B -q -Pdemo -pl sdk-examples -am verify -DskipTests
 * -Ddemo.main=io.reliablemq.examples.plain.PlainJavaExample -Ddemo.args=host:port}; without an
 * endpoint (the default {@code demo.args} is a Spring argument, ignored here) it starts an embedded
 * broker.
 */
public final class PlainJavaExample {
  private PlainJavaExample() {}

  /**
   * Sends, consumes and sends in a transaction once.
   *
   * @param args optional {@code host:port} of a RocketMQ 5 proxy with the topics {@code orders}
   *     (NORMAL) and {@code payments} (TRANSACTION)
   * @throws Exception on a failure
   */
  public static void main(String[] args) throws Exception {
    boolean external = args.length > 0 && !args[0].startsWith("--");
    EmbeddedRocketMQ mq = external ? null : EmbeddedRocketMQ.builder().build().start();
    try {
      String endpoints = external ? args[0] : mq.endpoints();
      if (mq != null) {
        mq.createTopic("orders", TopicType.NORMAL);
        mq.createTopic("payments", TopicType.TRANSACTION);
      }
      ClientSettings.Builder client = ClientSettings.custom().endpoints(endpoints);
      if (mq != null) {
        client.sslEnabled(false); // the embedded proxy speaks plain gRPC on 127.0.0.1
      }
      run(client.build());
    } finally {
      if (mq != null) {
        mq.close();
      }
    }
  }

  // The consumer only works in the background; the try block scopes its lifetime.
  @SuppressWarnings("try")
  static void run(ClientSettings client) throws Exception {
    Path dir = Files.createTempDirectory("reliablemq-plain-"); // 0700
    Set<String> handled = ConcurrentHashMap.newKeySet();

    // 1. A consumer: the handler runs to completion before the ack, once per reliablemq_id.
    try (JdbcDedupStore dedup =
            JdbcDedupStore.h2(DedupStoreConfig.custom().directory(dir.resolve("dedup")).build());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ReliableConsumerConfig.custom(client, "billing")
                    .subscribe("orders", "*")
                    .dedup(DedupConfig.ofDefaults(dedup))
                    .build(),
                message -> handled.add(message.reliableId().orElseThrow()));
        // 2. A producer with a fallback store: SENT, or STORED while the broker is unreachable.
        JdbcFallbackStore store =
            JdbcFallbackStore.h2(
                FallbackStoreConfig.custom().directory(dir.resolve("fallback")).build());
        ReliableProducer producer =
            ReliableProducer.create(
                ReliableProducerConfig.custom(client).fallbackStore(store).build())) {
      SendOutcome outcome =
          producer.send(
              ReliableMessage.builder("orders").body("{\"orderId\":42}").keys("order-42").build());
      System.out.printf("send: %s, reliablemq_id %s%n", outcome.status(), outcome.reliableId());

      // 3. A transactional sender: the message is delivered iff the local transaction commits.
      JdbcConnectionPool db =
          JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("business"), "sa", "");
      try (Connection c = db.getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE payments (order_id VARCHAR(64) PRIMARY KEY, amount BIGINT)");
      }
      // On top of the producer: one client and one retry/circuit machine for both kinds of send.
      try (TransactionalSender tx =
          TransactionalSender.create(
              TransactionalSenderConfig.custom(client, db).topics("payments").build(), producer)) {
        TransactionResult<Integer> paid =
            tx.send(
                ReliableMessage.builder("payments").body("{\"orderId\":42}").build(),
                connection -> {
                  try (PreparedStatement ps =
                      connection.prepareStatement("INSERT INTO payments VALUES (?, ?)")) {
                    ps.setString(1, "order-42");
                    ps.setLong(2, 9_900);
                    return ps.executeUpdate(); // no commit here: the sender commits
                  }
                });
        System.out.printf("transactional send: %s%n", paid.status());
      } finally {
        db.dispose();
      }

      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!handled.contains(outcome.reliableId()) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      System.out.printf("consumed: %s%n", handled.contains(outcome.reliableId()));
    }
  }
}
