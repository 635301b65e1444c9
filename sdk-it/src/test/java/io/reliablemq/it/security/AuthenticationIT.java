package io.reliablemq.it.security;

import static io.reliablemq.it.security.SecurityFixtures.APP;
import static io.reliablemq.it.security.SecurityFixtures.PUB_A;
import static io.reliablemq.it.security.SecurityFixtures.TOPIC_A;
import static io.reliablemq.it.security.SecurityFixtures.TOPIC_B;
import static io.reliablemq.it.security.SecurityFixtures.TOPIC_TX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackOperations;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.CircuitState;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.AclUser;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.transaction.TransactionalSender;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.apis.SessionCredentials;
import org.apache.rocketmq.client.apis.SessionCredentialsProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.java.exception.UnauthorizedException;
import org.awaitility.core.ConditionTimeoutException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against a broker that enforces RocketMQ ACL 2.0 (authentication and authorization in the
 * proxy, users in the broker): right credentials send and consume; wrong or missing ones, and a
 * topic the user may not publish to, fail at once with a non-retryable error that names the cause
 * and are never stored (bad configuration is not an outage), the circuit does not count them, and
 * the replayer parks a stored entry it is not allowed to send instead of looping on it; credentials
 * rotated through a {@link SessionCredentialsProvider} take effect on a running producer.
 */
class AuthenticationIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static EmbeddedRocketMQ mq;

  @TempDir Path tmp;

  @BeforeAll
  static void startBroker() {
    mq = SecurityFixtures.broker();
  }

  @AfterAll
  static void stopBroker() {
    if (mq != null) {
      mq.close();
    }
  }

  @Test
  void rightCredentials_sendAndConsume() {
    String group = EmbeddedRocketMQ.uniqueName("sec-g");
    Set<String> received = ConcurrentHashMap.newKeySet();
    try (JdbcDedupStore dedup =
            JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp.resolve("dedup")).build());
        ReliableProducer producer =
            ReliableProducer.create(
                SecurityFixtures.producer(mq.endpoints(), SecurityFixtures.credentials(APP))
                    .build());
        ReliableConsumer consumer =
            ReliableConsumer.start(
                ReliableConsumerConfig.custom(
                        SecurityFixtures.client(mq.endpoints(), SecurityFixtures.credentials(APP)),
                        group)
                    .subscribe(TOPIC_A, "*")
                    .dedup(DedupConfig.custom(dedup).build())
                    .build(),
                m -> received.add(m.reliableId().orElseThrow()))) {
      SendOutcome outcome =
          producer.send(ReliableMessage.builder(TOPIC_A).body("authenticated").build());
      assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
      await("the message to be consumed")
          .atMost(TIMEOUT)
          .until(() -> received.contains(outcome.reliableId()));
    }
  }

  @Test
  void wrongSecret_failsFastNotRetryable_notStored() {
    assertRefusedNotStored(
        new StaticSessionCredentialsProvider(APP.username(), "not-the-secret"), TOPIC_A);
  }

  @Test
  void unknownUser_failsFastNotRetryable_notStored() {
    assertRefusedNotStored(new StaticSessionCredentialsProvider("nobody", "whatever"), TOPIC_A);
  }

  @Test
  void missingCredentials_failsFastNotRetryable_notStored() {
    assertRefusedNotStored(null, TOPIC_A);
  }

  @Test
  void userAllowedOnlyTopicA_sendsToA_refusedOnB_notStored() {
    try (JdbcFallbackStore store = SecurityFixtures.store(tmp.resolve("fallback"));
        ReliableProducer producer =
            ReliableProducer.create(
                SecurityFixtures.producer(mq.endpoints(), SecurityFixtures.credentials(PUB_A))
                    .fallbackStore(store)
                    .build())) {
      assertThat(producer.send(ReliableMessage.builder(TOPIC_A).body("a").build()).status())
          .isEqualTo(SendStatus.SENT);
      assertRefused(producer, TOPIC_B);
      assertThat(store.count()).as("entries stored").isZero();
      // And A still works: a refusal is about the request, not the connection.
      assertThat(producer.send(ReliableMessage.builder(TOPIC_A).body("a2").build()).status())
          .isEqualTo(SendStatus.SENT);
    }
  }

  @Test
  void replayer_parksEntryItMayNotSend_doesNotLoop_andReplaysTheOthers() {
    try (JdbcFallbackStore store = SecurityFixtures.store(tmp.resolve("fallback"));
        ReliableProducer producer =
            ReliableProducer.create(
                SecurityFixtures.producer(mq.endpoints(), SecurityFixtures.credentials(PUB_A))
                    .fallbackStore(store)
                    .build())) {
      // The application has been sending to A (a client whose very first request is refused is
      // another case, see docs/security.md).
      assertThat(producer.send(entry(TOPIC_A, "direct", "to a")).status())
          .isEqualTo(SendStatus.SENT);
      FallbackOperations ops = producer.fallback().orElseThrow();

      // What an outage left in the store: an entry this user may not send.
      StoredEntry refused = store.append(entry(TOPIC_B, "refused", "to b"), false);
      ops.replayNow();
      awaitStore(store, "the refused entry to be parked", () -> ops.count(EntryState.PARKED) == 1);
      StoredEntry parked = store.find(refused.id()).orElseThrow();
      assertThat(parked.lastError())
          .hasValueSatisfying(e -> assertThat(e).contains("UnauthorizedException", "40100"));

      // Replay goes on for what is allowed, and never comes back to the parked entry.
      StoredEntry later = store.append(entry(TOPIC_A, "later", "to a again"), false);
      ops.replayNow();
      awaitStore(
          store, "the later allowed entry to be replayed", () -> store.find(later.id()).isEmpty());
      StoredEntry after = store.find(refused.id()).orElseThrow();
      assertThat(after.state()).isEqualTo(EntryState.PARKED);
      assertThat(after.attempts()).as("attempts on the parked entry").isEqualTo(1);
      assertThat(producer.circuitState()).isEqualTo(CircuitState.CLOSED);
    }
  }

  private static ReliableMessage entry(String topic, String prefix, String body) {
    return ReliableMessage.builder(topic)
        .id(EmbeddedRocketMQ.uniqueName(prefix))
        .body(body)
        .build();
  }

  private static void awaitStore(
      JdbcFallbackStore store, String what, java.util.function.BooleanSupplier condition) {
    try {
      await(what).atMost(TIMEOUT).until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          e.getMessage()
              + "; store: "
              + store.list(0, 10).stream()
                  .map(x -> x.id() + " " + x.state() + " " + x.attempts() + " " + x.lastError())
                  .toList(),
          e);
    }
  }

  @Test
  void transactionalSend_wrongSecret_refusedNotStoredInTheOutbox() throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + tmp.resolve("business").toAbsolutePath());
    ds.setUser("biz");
    ds.setPassword("");
    try (JdbcFallbackStore outbox =
            JdbcFallbackStore.create(
                ds, H2Dialect.INSTANCE, io.reliablemq.fallback.FallbackStoreConfig.ofDefaults());
        TransactionalSender sender =
            TransactionalSender.create(
                TransactionalSenderConfig.custom(
                        SecurityFixtures.client(
                            mq.endpoints(),
                            new StaticSessionCredentialsProvider(APP.username(), "wrong")),
                        ds)
                    .topics(TOPIC_TX)
                    .outbox(outbox)
                    .build())) {
      assertThatThrownBy(
              () ->
                  sender.send(
                      ReliableMessage.builder(TOPIC_TX).body("tx").build(), c -> "committed"))
          .satisfies(AuthenticationIT::assertNamesUnauthorized);
      assertThat(outbox.count()).as("entries in the outbox").isZero();
    }
  }

  @Test
  void rotatedCredentials_takeEffectWithoutRestart() {
    AclUser v1 = AclUser.custom("rotating-v1", "v1-Secret-51aa").publish("sec-*").build();
    AclUser v2 = AclUser.custom("rotating-v2", "v2-Secret-e7c3").publish("sec-*").build();
    mq.putUser(v1);
    mq.putUser(v2);
    AtomicReference<SessionCredentials> current =
        new AtomicReference<>(new SessionCredentials(v1.username(), v1.password()));
    SessionCredentialsProvider rotating = current::get;
    try (ReliableProducer producer =
        ReliableProducer.create(SecurityFixtures.producer(mq.endpoints(), rotating).build())) {
      assertThat(producer.send(ReliableMessage.builder(TOPIC_A).body("v1").build()).status())
          .isEqualTo(SendStatus.SENT);

      // The old credentials are revoked: the same producer is refused from the next request on.
      mq.deleteUser(v1.username());
      assertRefused(producer, TOPIC_A);

      // The application rotates to the new credentials; no restart of the producer.
      current.set(new SessionCredentials(v2.username(), v2.password()));
      SendOutcome outcome = producer.send(ReliableMessage.builder(TOPIC_A).body("v2").build());
      assertThat(outcome.status()).isEqualTo(SendStatus.SENT);
      assertThat(producer.circuitState()).isEqualTo(CircuitState.CLOSED);
    } finally {
      mq.deleteUser(v2.username());
    }
  }

  private void assertRefusedNotStored(SessionCredentialsProvider credentials, String topic) {
    try (JdbcFallbackStore store = SecurityFixtures.store(tmp.resolve("fallback"));
        ReliableProducer producer =
            ReliableProducer.create(
                SecurityFixtures.producer(mq.endpoints(), credentials)
                    .fallbackStore(store)
                    .build())) {
      // More refusals than the circuit needs to open: none may count as an outage.
      for (int i = 0; i < 3; i++) {
        assertRefused(producer, topic);
      }
      assertThat(store.count()).as("entries stored").isZero();
      assertThat(producer.circuitState()).isEqualTo(CircuitState.CLOSED);
    }
  }

  private static void assertRefused(ReliableProducer producer, String topic) {
    ReliableMessage message = ReliableMessage.builder(topic).body("refused").build();
    assertThatThrownBy(() -> producer.send(message))
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.NON_RETRYABLE);
              assertThat(e.retryable()).isFalse();
              // Failed fast: one attempt, no retry, no store.
              assertThat(e.attempts()).isEqualTo(1);
            })
        .satisfies(AuthenticationIT::assertNamesUnauthorized);
  }

  private static void assertNamesUnauthorized(Throwable e) {
    assertThat(causes(e)).anyMatch(UnauthorizedException.class::isInstance);
    assertThat(e).hasMessageContaining("Unauthorized");
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> list = new java.util.ArrayList<>();
    for (Throwable t = e; t != null && list.size() < 20; t = t.getCause()) {
      list.add(t);
    }
    return list;
  }
}
