package io.reliablemq.it.security;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.test.AclUser;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.TopicType;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.rocketmq.client.apis.SessionCredentialsProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;

/** A broker enforcing ACL 2.0 with a few users, and the SDK settings the security ITs share. */
final class SecurityFixtures {
  static final String ADMIN = "admin";
  static final String ADMIN_SECRET = "admin-Secret-7f3a91";

  /** Topic A: the publisher may send here. */
  static final String TOPIC_A = "sec-topic-a";

  /** Topic B: the publisher is refused here. */
  static final String TOPIC_B = "sec-topic-b";

  static final String TOPIC_TX = "sec-topic-tx";

  /** May publish and consume everything the tests use. */
  static final AclUser APP =
      AclUser.custom("app", "app-Secret-0c44e2")
          .publish("sec-*")
          .subscribe("sec-*", "sec-*")
          .build();

  /** May publish to topic A only. */
  static final AclUser PUB_A =
      AclUser.custom("pub-a", "pubA-Secret-9d21b0").publish(TOPIC_A).build();

  private SecurityFixtures() {}

  /** Started once per test class: ACL 2.0 on, check-backs within seconds. */
  static EmbeddedRocketMQ broker() {
    EmbeddedRocketMQ mq =
        EmbeddedRocketMQ.builder()
            .authentication(ADMIN, ADMIN_SECRET)
            // Started once per class while the other fork runs its own ITs: room for a busy CI.
            .startTimeout(Duration.ofMinutes(3))
            .user(APP)
            .user(PUB_A)
            .brokerProperty("transactionTimeOut", "1000")
            .brokerProperty("transactionCheckInterval", "1000")
            .build()
            .start();
    mq.createTopic(TOPIC_A, TopicType.NORMAL);
    mq.createTopic(TOPIC_B, TopicType.NORMAL);
    mq.createTopic(TOPIC_TX, TopicType.TRANSACTION);
    return mq;
  }

  static SessionCredentialsProvider credentials(AclUser user) {
    return new StaticSessionCredentialsProvider(user.username(), user.password());
  }

  static ClientSettings client(String endpoints, SessionCredentialsProvider credentials) {
    return ClientSettings.custom()
        .endpoints(endpoints)
        .sslEnabled(false)
        // Generous: a first request to a topic (route, settings) is slow on a loaded CI machine.
        .requestTimeout(Duration.ofSeconds(5))
        .credentialsProvider(credentials)
        .build();
  }

  static JdbcFallbackStore store(Path dir) {
    return JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(dir).maxRows(1000).build());
  }

  static ReliableProducerConfig.Builder producer(
      String endpoints, SessionCredentialsProvider credentials) {
    return ReliableProducerConfig.custom(client(endpoints, credentials))
        .retry(
            SendRetryConfig.custom()
                .maxAttempts(3)
                .initialBackoff(Duration.ofMillis(50))
                .maxBackoff(Duration.ofMillis(200))
                .totalDeadline(Duration.ofSeconds(20))
                .build())
        // A circuit that a handful of counted failures would open: refusals must not count.
        .circuit(
            CircuitConfig.custom()
                .slidingWindowSize(4)
                .minimumNumberOfCalls(2)
                .waitInOpenState(Duration.ofSeconds(30))
                .build())
        .replay(
            ReplayConfig.custom()
                // A replay that timed out keeps its entry leased until the lease ends: short here.
                .lease(Duration.ofSeconds(5))
                .idlePoll(Duration.ofMillis(200))
                .initialBackoff(Duration.ofMillis(200))
                .maxBackoff(Duration.ofSeconds(1))
                .build());
  }
}
