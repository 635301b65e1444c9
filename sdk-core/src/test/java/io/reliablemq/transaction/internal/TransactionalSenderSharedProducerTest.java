package io.reliablemq.transaction.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.producer.internal.ReliableProducerImpl;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionUnavailableException;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A transactional sender on top of a producer: one client, and the producer's one retry, circuit
 * and deadline for the half messages.
 */
class TransactionalSenderSharedProducerTest {
  private static final ClientSettings CLIENT =
      ClientSettings.custom().endpoints("127.0.0.1:1").sslEnabled(false).build();

  private final List<String> decisions = Collections.synchronizedList(new ArrayList<>());
  private final RecordingTxProducer client = new RecordingTxProducer(decisions);
  private final AtomicInteger builds = new AtomicInteger();
  private final AtomicInteger localRuns = new AtomicInteger();
  private JdbcDataSource dataSource;
  private Connection keepAlive;

  @BeforeEach
  void setUp() throws SQLException {
    dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:txshared-" + UUID.randomUUID());
    keepAlive = dataSource.getConnection();
    try (Statement s = keepAlive.createStatement()) {
      s.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
    }
  }

  @AfterEach
  void tearDown() throws SQLException {
    keepAlive.close();
  }

  private ReliableProducerImpl producer(SendRetryConfig retry, CircuitConfig circuit) {
    return ReliableProducerImpl.create(
        ReliableProducerConfig.custom(CLIENT).retry(retry).circuit(circuit).build(),
        ClientServiceProvider.loadService(),
        () -> {
          builds.incrementAndGet();
          return client;
        });
  }

  private TransactionalSenderConfig senderConfig(SendRetryConfig retry) {
    return TransactionalSenderConfig.custom(CLIENT, dataSource).retry(retry).build();
  }

  private static SendRetryConfig retry(int attempts, Duration deadline) {
    return SendRetryConfig.custom()
        .maxAttempts(attempts)
        .initialBackoff(Duration.ofMillis(5))
        .maxBackoff(Duration.ofMillis(10))
        .totalDeadline(deadline)
        .build();
  }

  private Object order(Connection c, String id) throws SQLException {
    localRuns.incrementAndGet();
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO orders VALUES ('" + id + "')");
    }
    return null;
  }

  private static ReliableMessage message(String id) {
    return ReliableMessage.builder("orders").body("order " + id).id(id).build();
  }

  @Test
  void producerAndSender_shareOneClient_andClosingTheSenderLeavesTheProducerOpen() {
    ReliableProducerImpl producer =
        producer(retry(3, Duration.ofSeconds(2)), CircuitConfig.ofDefaults());
    try (producer) {
      try (TransactionalSenderImpl sender =
          TransactionalSenderImpl.create(senderConfig(retry(3, Duration.ofSeconds(2))), producer)) {
        assertThat(producer.send(message("p-1")).status()).isEqualTo(SendStatus.SENT);
        assertThat(sender.send(message("t-1"), c -> order(c, "t-1")).status())
            .isEqualTo(TransactionStatus.COMMITTED);
        // A second sender would answer check-backs for the same client: refused.
        assertThatThrownBy(
                () ->
                    TransactionalSenderImpl.create(
                        senderConfig(retry(3, Duration.ofSeconds(2))), producer))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("another transaction check");
      }
      assertThat(producer.send(message("p-2")).status()).isEqualTo(SendStatus.SENT);
    }
    assertThat(builds).as("client builds").hasValue(1);
    assertThat(client.plains).hasValue(2);
    assertThat(client.halves).hasValue(1);
    assertThat(decisions).containsExactly("commit t-1");
  }

  @Test
  void halfMessage_retriesThroughTheProducersRetry_andReportsAttemptsAndElapsed() {
    client.failHalves.set(100);
    try (ReliableProducerImpl producer =
            producer(
                retry(3, Duration.ofSeconds(5)), CircuitConfig.custom().enabled(false).build());
        TransactionalSenderImpl sender =
            TransactionalSenderImpl.create(
                senderConfig(retry(9, Duration.ofSeconds(9))), producer)) {
      assertThatThrownBy(() -> sender.send(message("t-2"), c -> order(c, "t-2")))
          .isInstanceOfSatisfying(
              TransactionUnavailableException.class,
              e -> {
                // The producer's retry (3 attempts), not the sender config's (9).
                assertThat(e.attempts()).isEqualTo(3);
                assertThat(e.reason()).isEqualTo("attempts exhausted");
                assertThat(e.elapsed()).isPositive();
                assertThat(e.getCause()).isInstanceOf(ClientException.class);
              });
    }
    assertThat(client.halves).hasValue(3);
    assertThat(localRuns).hasValue(0);
  }

  @Test
  void halfMessage_isNotAttempted_whileTheProducersCircuitIsOpen() {
    CircuitConfig circuit =
        CircuitConfig.custom()
            .slidingWindowSize(2)
            .minimumNumberOfCalls(2)
            .failureRateThreshold(50)
            .waitInOpenState(Duration.ofMinutes(5))
            .build();
    client.plainFailure = new ClientException("proxy unreachable");
    try (ReliableProducerImpl producer = producer(retry(2, Duration.ofSeconds(5)), circuit);
        TransactionalSenderImpl sender =
            TransactionalSenderImpl.create(
                senderConfig(retry(3, Duration.ofSeconds(5))), producer)) {
      // Two plain sends fail all their attempts: the circuit the half messages share opens (it
      // counts sends, not attempts).
      for (String id : new String[] {"p-3", "p-4"}) {
        assertThatThrownBy(() -> producer.send(message(id)))
            .isInstanceOf(SendFailedException.class);
      }
      assertThat(producer.circuitState()).isEqualTo(CircuitState.OPEN);

      assertThatThrownBy(() -> sender.send(message("t-3"), c -> order(c, "t-3")))
          .isInstanceOfSatisfying(
              TransactionUnavailableException.class,
              e -> {
                assertThat(e.reason()).isEqualTo("circuit open");
                assertThat(e.attempts()).isZero();
              });
    }
    assertThat(client.begins).as("no transaction begun while the circuit is open").hasValue(0);
    assertThat(localRuns).hasValue(0);
  }

  @Test
  void hangingHalfMessage_endsAtTheTotalDeadline_andIsRolledBackWhenItArrivesLate() {
    CountDownLatch release = new CountDownLatch(1);
    client.hang = release;
    TransactionalSenderImpl sender =
        TransactionalSenderImpl.create(
            TransactionalSenderConfig.custom(CLIENT, dataSource)
                .retry(retry(3, Duration.ofMillis(300)))
                .build(),
            ClientServiceProvider.loadService(),
            () -> client);
    try {
      CompletableFuture<Object> send =
          CompletableFuture.supplyAsync(
              () -> sender.send(message("t-4"), c -> order(c, "t-4")).status());
      // The client's call never returns by itself: only the deadline can end the send.
      assertThat(send)
          .failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOf(TransactionUnavailableException.class);
      assertThat(localRuns).hasValue(0);
      release.countDown();
      // The half message that arrived after its attempt was given up is rolled back, not left.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(decisions).contains("rollback t-4"));
      assertThat(decisions).doesNotContain("commit t-4");
    } finally {
      release.countDown();
      sender.close();
    }
  }
}
