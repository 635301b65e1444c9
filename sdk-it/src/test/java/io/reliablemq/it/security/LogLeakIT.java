package io.reliablemq.it.security;

import static io.reliablemq.it.security.SecurityFixtures.APP;
import static io.reliablemq.it.security.SecurityFixtures.TOPIC_A;
import static io.reliablemq.it.security.SecurityFixtures.TOPIC_TX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.transaction.TransactionResult;
import io.reliablemq.transaction.TransactionStatus;
import io.reliablemq.transaction.TransactionalSender;
import io.reliablemq.transaction.TransactionalSenderConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * With every SDK and RocketMQ client logger at TRACE (what a user does to debug), a send, a STORED
 * send, its replay, a consume and a transactional check-back against a broker that checks
 * credentials must leave neither the secret key, nor the {@code authorization} header the client
 * signs every request with, nor a message body in the logs. Captured: every event of the SDK's
 * logging (slf4j) and of the client's own shaded logback, and the client's log file ({@code
 * rocketmq-client.log} under {@code rocketmq.log.root}).
 */
class LogLeakIT {
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
  void everyLoggerAtTrace_noSecretNoSignatureNoBodyInTheLogs() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> bodies = new LinkedHashMap<>();
    bodies.put("send", "body-of-the-send-" + run);
    bodies.put("stored", "body-of-the-stored-send-" + run);
    bodies.put("tx", "body-of-the-transaction-" + run);
    Path clientLog = clientLogFile();
    long clientLogStart = Files.exists(clientLog) ? Files.size(clientLog) : 0;
    String marker = "reliablemq-log-leak-end-" + run;

    Capture capture = Capture.start();
    List<String> ids = new ArrayList<>();
    try {
      // 1. A send.
      try (ReliableProducer producer =
          ReliableProducer.create(
              SecurityFixtures.producer(mq.endpoints(), SecurityFixtures.credentials(APP))
                  .build())) {
        SendOutcome sent =
            producer.send(ReliableMessage.builder(TOPIC_A).body(bodies.get("send")).build());
        assertThat(sent.status()).isEqualTo(SendStatus.SENT);
        ids.add(sent.reliableId());
      }

      // 2. A STORED send: the proxy is unreachable (a port nobody listens on).
      Path storeDir = tmp.resolve("fallback");
      try (JdbcFallbackStore store = SecurityFixtures.store(storeDir);
          ReliableProducer producer =
              ReliableProducer.create(
                  SecurityFixtures.producer(deadEndpoint(), SecurityFixtures.credentials(APP))
                      .retry(
                          SendRetryConfig.custom()
                              .maxAttempts(2)
                              .initialBackoff(Duration.ofMillis(50))
                              .maxBackoff(Duration.ofMillis(100))
                              .totalDeadline(Duration.ofSeconds(2))
                              .build())
                      .fallbackStore(store)
                      .build())) {
        SendOutcome stored =
            producer.send(ReliableMessage.builder(TOPIC_A).body(bodies.get("stored")).build());
        assertThat(stored.status()).isEqualTo(SendStatus.STORED);
        ids.add(stored.reliableId());
      }

      // 3. Its replay, by a producer that reaches the proxy, from the same store.
      try (JdbcFallbackStore store = SecurityFixtures.store(storeDir);
          ReliableProducer producer =
              ReliableProducer.create(
                  SecurityFixtures.producer(mq.endpoints(), SecurityFixtures.credentials(APP))
                      .fallbackStore(store)
                      .build())) {
        await("the stored send to be replayed").atMost(TIMEOUT).until(() -> store.count() == 0);
      }

      // 4. A transactional send whose half message the broker checks back before the commit.
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:file:" + tmp.resolve("business").toAbsolutePath());
      ds.setUser("biz");
      ds.setPassword("");
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
      }
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (TransactionalSender sender =
          TransactionalSender.create(
              TransactionalSenderConfig.custom(
                      SecurityFixtures.client(mq.endpoints(), SecurityFixtures.credentials(APP)),
                      ds)
                  .topics(TOPIC_TX)
                  .gracePeriod(Duration.ofSeconds(30))
                  .meterRegistry(registry)
                  .build())) {
        String txId = EmbeddedRocketMQ.uniqueName("tx");
        TransactionResult<String> result =
            sender.send(
                ReliableMessage.builder(TOPIC_TX).id(txId).body(bodies.get("tx")).build(),
                c -> {
                  try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO orders VALUES ('" + txId + "')");
                  }
                  // The half message is at the broker: hold the local transaction open until the
                  // broker has checked it back (answered UNKNOWN, the log row is not committed).
                  await("a check-back").atMost(TIMEOUT).until(() -> checks(registry) >= 1);
                  return "ok";
                });
        assertThat(result.status()).isEqualTo(TransactionStatus.COMMITTED);
        ids.add(txId);
      }

      // 5. A consume of all three.
      Set<String> consumed = ConcurrentHashMap.newKeySet();
      try (JdbcDedupStore dedup =
              JdbcDedupStore.h2(DedupStoreConfig.custom().directory(tmp.resolve("dedup")).build());
          ReliableConsumer consumer =
              ReliableConsumer.start(
                  ReliableConsumerConfig.custom(
                          SecurityFixtures.client(
                              mq.endpoints(), SecurityFixtures.credentials(APP)),
                          EmbeddedRocketMQ.uniqueName("sec-leak"))
                      .subscribe(TOPIC_A, "*")
                      .subscribe(TOPIC_TX, "*")
                      .dedup(DedupConfig.custom(dedup).build())
                      .build(),
                  m -> consumed.add(m.reliableId().orElse("")))) {
        await("all three messages consumed").atMost(TIMEOUT).until(() -> consumed.containsAll(ids));
      }
      // Everything the client logged before this line is in its file once this line is (its
      // AsyncAppender keeps the order; WARN, which it never discards when its queue fills).
      org.apache.rocketmq.shaded.org.slf4j.LoggerFactory.getLogger("io.reliablemq.it.LogLeakIT")
          .warn(marker);
    } finally {
      capture.stop();
    }
    await("the client's log file to hold the end marker")
        .atMost(TIMEOUT)
        .until(() -> read(clientLog, clientLogStart).contains(marker));
    String fileText = read(clientLog, clientLogStart);

    // The capture saw the flow at the levels asked for: a check that cannot pass vacuously.
    assertThat(capture.count("sdk", "TRACE") + capture.count("sdk", "DEBUG"))
        .as("SDK events below INFO")
        .isPositive();
    assertThat(capture.count("client", "TRACE") + capture.count("client", "DEBUG"))
        .as("client events below INFO")
        .isPositive();
    assertThat(capture.text()).contains(ids.get(1)); // the SDK's DEBUG line about the STORED send
    assertThat(fileText).contains(marker);

    Map<String, String> forbidden = new LinkedHashMap<>();
    forbidden.put("the secret key", APP.password());
    forbidden.put("the authorization header's scheme", "MQv2-HMAC-SHA1");
    forbidden.put("the authorization header's signature", "Signature=");
    forbidden.put("the authorization header's credential", "Credential=");
    bodies.forEach((k, v) -> forbidden.put("the body of the " + k, v));
    // Netty's HTTP/2 frame logger dumps DATA frames in hex.
    bodies.forEach(
        (k, v) ->
            forbidden.put(
                "the body of the " + k + " in hex",
                java.util.HexFormat.of().formatHex(v.getBytes(StandardCharsets.UTF_8))));
    List<String> leaks = new ArrayList<>();
    forbidden.forEach(
        (what, needle) -> {
          for (String line : capture.lines()) {
            if (line.contains(needle)) {
              leaks.add(what + " in a captured event: " + abbreviate(line));
              break;
            }
          }
          if (fileText.contains(needle)) {
            leaks.add(what + " in " + clientLog);
          }
        });
    System.out.printf(
        "LogLeakIT: %d events captured (%d SDK, %d client), %d bytes of client log; leaks: %s%n",
        capture.lines().size(),
        capture.count("sdk", null),
        capture.count("client", null),
        fileText.length(),
        leaks);
    assertThat(leaks).as("secrets or bodies in the logs").isEmpty();
  }

  private static double checks(SimpleMeterRegistry registry) {
    return registry.find("reliablemq.tx.check").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private static String deadEndpoint() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  private static Path clientLogFile() {
    String root = System.getProperty("rocketmq.log.root");
    Path dir =
        root != null
            ? Paths.get(root)
            : Paths.get(System.getProperty("user.home"), "logs", "rocketmq");
    return dir.resolve("rocketmq-client.log");
  }

  private static String read(Path file, long from) {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long start = f.length() < from ? 0 : from; // rolled over meanwhile: read it all
      byte[] bytes = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 300 ? line : line.substring(0, 300) + "...";
  }

  /**
   * Every logger of both logging systems at TRACE, every event formatted (message and stack trace)
   * into a list; {@link #stop()} puts the levels back (the fork's other ITs share this JVM).
   */
  private static final class Capture {
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final List<Runnable> undo = new ArrayList<>();

    static Capture start() {
      Capture c = new Capture();
      c.sdk();
      c.client();
      return c;
    }

    private void sdk() {
      LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
      AppenderBase<ILoggingEvent> appender =
          new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
              record(
                  "sdk",
                  e.getLevel().toString(),
                  e.getLoggerName(),
                  e.getFormattedMessage(),
                  e.getThrowableProxy() == null
                      ? ""
                      : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
          };
      appender.setContext(ctx);
      appender.start();
      Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.addAppender(appender);
      undo.add(() -> root.detachAppender(appender));
      for (Logger l : ctx.getLoggerList()) {
        Level before = l.getLevel();
        if (before != null) {
          l.setLevel(Level.TRACE);
          undo.add(() -> l.setLevel(before));
        }
      }
    }

    private void client() {
      org.apache.rocketmq.shaded.ch.qos.logback.classic.LoggerContext ctx =
          (org.apache.rocketmq.shaded.ch.qos.logback.classic.LoggerContext)
              org.apache.rocketmq.shaded.org.slf4j.LoggerFactory.getILoggerFactory();
      org.apache.rocketmq.shaded.ch.qos.logback.core.AppenderBase<
              org.apache.rocketmq.shaded.ch.qos.logback.classic.spi.ILoggingEvent>
          appender =
              new org.apache.rocketmq.shaded.ch.qos.logback.core.AppenderBase<>() {
                @Override
                protected void append(
                    org.apache.rocketmq.shaded.ch.qos.logback.classic.spi.ILoggingEvent e) {
                  record(
                      "client",
                      e.getLevel().toString(),
                      e.getLoggerName(),
                      e.getFormattedMessage(),
                      e.getThrowableProxy() == null
                          ? ""
                          : org.apache.rocketmq.shaded.ch.qos.logback.classic.spi.ThrowableProxyUtil
                              .asString(e.getThrowableProxy()));
                }
              };
      appender.setContext(ctx);
      appender.start();
      org.apache.rocketmq.shaded.ch.qos.logback.classic.Logger root =
          ctx.getLogger(org.apache.rocketmq.shaded.org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.addAppender(appender);
      undo.add(() -> root.detachAppender(appender));
      for (org.apache.rocketmq.shaded.ch.qos.logback.classic.Logger l : ctx.getLoggerList()) {
        org.apache.rocketmq.shaded.ch.qos.logback.classic.Level before = l.getLevel();
        if (before != null) {
          l.setLevel(org.apache.rocketmq.shaded.ch.qos.logback.classic.Level.TRACE);
          undo.add(() -> l.setLevel(before));
        }
      }
    }

    private void record(String system, String level, String logger, String message, String stack) {
      counts.merge(system + "/" + level, 1, Integer::sum);
      counts.merge(system, 1, Integer::sum);
      lines.add(system + " " + level + " " + logger + " - " + message + " " + stack);
    }

    int count(String system, String level) {
      return counts.getOrDefault(level == null ? system : system + "/" + level, 0);
    }

    List<String> lines() {
      return List.copyOf(lines);
    }

    String text() {
      return String.join("\n", lines);
    }

    void stop() {
      for (int i = undo.size() - 1; i >= 0; i--) {
        undo.get(i).run();
      }
    }
  }
}
