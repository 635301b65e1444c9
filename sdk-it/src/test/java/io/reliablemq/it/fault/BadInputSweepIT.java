package io.reliablemq.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.reliablemq.InvalidMessageException;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.FallbackStoreException;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.it.support.ChildJvm;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendFailedException;
import io.reliablemq.producer.SendRetryConfig;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input sweep: every invalid message field, an oversized body, an unknown topic, a closed
 * producer, an unwritable store directory, a store file locked by another process and a corrupt
 * store file. Each must give a clear exception naming the problem, store nothing, and leave no SDK
 * thread running.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class BadInputSweepIT {
  /**
   * Threads that are not the SDK's: JVM and harness threads, the shared test broker's pipe readers
   * (started lazily by the extension, possibly during the first case), and two process-wide
   * singletons that live as long as the JVM once first used: the JDK's {@code
   * CompletableFuture.delayedExecutor} thread and the RocketMQ client's shaded logback appender;
   * and Awaitility's poller, which evaluates a wait's condition on a thread of its own (this
   * check's included).
   */
  private static final List<String> NOT_OURS =
      List.of(
          "process reaper",
          "awaitility",
          "child-reader-",
          "embedded-rocketmq-",
          "CompletableFutureDelayScheduler",
          "AsyncAppender-Worker-",
          "Attach Listener",
          "Common-Cleaner",
          "ForkJoinPool.commonPool",
          "surefire",
          "Signal Dispatcher");

  @TempDir Path dir;
  private Set<Thread> before;

  @BeforeEach
  void snapshotThreads() {
    before = Set.copyOf(Thread.getAllStackTraces().keySet());
  }

  @Test
  void everyInvalidField_isRejectedByName_andNothingIsStored(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("bad");
    mq.createTopic(topic, TopicType.NORMAL);
    Map<String, Supplier<ReliableMessage.Builder>> cases = new LinkedHashMap<>();
    cases.put("topic", () -> ReliableMessage.builder(" ").body("x"));
    cases.put("topic ", () -> ReliableMessage.builder("a".repeat(128)).body("x"));
    cases.put("topic  ", () -> ReliableMessage.builder("orders/eu").body("x"));
    cases.put("body", () -> ReliableMessage.builder(topic).body(new byte[0]));
    cases.put("body ", () -> ReliableMessage.builder(topic).body(new byte[4 * 1024 * 1024 + 1]));
    cases.put("tag", () -> ReliableMessage.builder(topic).body("x").tag(" "));
    cases.put("tag ", () -> ReliableMessage.builder(topic).body("x").tag("a|b"));
    cases.put("keys", () -> ReliableMessage.builder(topic).body("x").keys("order 1"));
    cases.put("keys ", () -> ReliableMessage.builder(topic).body("x").keys(" "));
    cases.put("id", () -> ReliableMessage.builder(topic).body("x").id("-bad id"));
    cases.put("properties", () -> ReliableMessage.builder(topic).body("x").property("KEYS", "v"));
    cases.put(
        "properties ",
        () -> ReliableMessage.builder(topic).body("x").property("reliablemq_id", "v"));
    cases.put("properties  ", () -> ReliableMessage.builder(topic).body("x").property("k", " "));
    cases.put(
        "properties   ", () -> ReliableMessage.builder(topic).body("x").property("k", "a\u0001b"));
    cases.put(
        "properties    ",
        () -> ReliableMessage.builder(topic).body("x").property("k", "v".repeat(17 * 1024)));
    cases.put(
        "properties     ",
        () -> {
          Map<String, String> many = new HashMap<>();
          for (int i = 0; i < 200; i++) {
            many.put("k" + i, "v");
          }
          return ReliableMessage.builder(topic).body("x").properties(many);
        });
    cases.put("messageGroup", () -> ReliableMessage.builder(topic).body("x").messageGroup(" "));
    cases.put(
        "messageGroup ",
        () -> ReliableMessage.builder(topic).body("x").messageGroup("g".repeat(1000)));
    cases.put(
        "messageGroup  ",
        () ->
            ReliableMessage.builder(topic)
                .body("x")
                .messageGroup("g")
                .deliveryDelay(Duration.ofSeconds(5)));
    cases.put(
        "deliveryDelay",
        () -> ReliableMessage.builder(topic).body("x").deliveryDelay(Duration.ofSeconds(-1)));
    cases.put(
        "deliveryDelay ",
        () -> ReliableMessage.builder(topic).body("x").deliveryDelay(Duration.ofDays(400)));
    cases.put(
        "deliveryTime",
        () ->
            ReliableMessage.builder(topic)
                .body("x")
                .deliveryTime(Instant.now().plus(Duration.ofDays(400))));

    JdbcFallbackStore store = store(dir);
    try (ReliableProducer producer = producer(mq.endpoints(), store)) {
      for (Map.Entry<String, Supplier<ReliableMessage.Builder>> c : cases.entrySet()) {
        String field = c.getKey().strip();
        ReliableMessage message = c.getValue().get().build();
        for (Throwable t :
            List.of(
                catchThrowable(() -> producer.send(message)),
                catchThrowable(() -> producer.sendAsync(message).join()))) {
          Throwable cause =
              t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
          assertThat(cause)
              .as("case %s", c.getKey())
              .isInstanceOf(InvalidMessageException.class)
              .hasMessageContaining(field);
          assertThat(((InvalidMessageException) cause).field()).isEqualTo(field);
          assertThat(cause.getMessage()).doesNotContain("a\u0001b").doesNotContain("vvvvvvvv");
        }
        assertThat(store.count()).as("stored after case %s", c.getKey()).isZero();
      }
    }
    store.close();
    assertNoSdkThreadLeft();
  }

  @Test
  void unknownTopic_failsNamingTheTopic_andNothingIsStored(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("never-created");
    JdbcFallbackStore store = store(dir);
    try (ReliableProducer producer = producer(mq.endpoints(), store)) {
      assertThatThrownBy(() -> producer.send(ReliableMessage.builder(topic).body("x").build()))
          .isInstanceOf(SendFailedException.class)
          .hasMessageContaining(topic);
      assertThat(store.count()).isZero();
    }
    store.close();
    assertNoSdkThreadLeft();
  }

  @Test
  void closedProducer_refusesToSend_andNothingIsStored(EmbeddedRocketMQ mq) {
    String topic = EmbeddedRocketMQ.uniqueName("bad");
    mq.createTopic(topic, TopicType.NORMAL);
    JdbcFallbackStore store = store(dir);
    ReliableProducer producer = producer(mq.endpoints(), store);
    producer.close();
    ReliableMessage m = ReliableMessage.builder(topic).body("x").build();
    assertThatThrownBy(() -> producer.send(m))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(store.count()).isZero();
    store.close();
    assertNoSdkThreadLeft();
  }

  @Test
  void storeDirectoryThatIsAFile_orUnderAFile_failsNamingThePath() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    for (Path bad : List.of(file, file.resolve("store"))) {
      assertThatThrownBy(() -> store(bad))
          .as("store at %s", bad)
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining(bad.toString());
    }
    assertThat(Files.readString(file)).isEqualTo("x");
    assertNoSdkThreadLeft();
  }

  @Test
  void storeFileLockedByAnotherProcess_failsNamingTheFile() {
    Path storeDir = dir.resolve("store");
    try (ChildJvm holder =
        ChildJvm.start("holder", dir, StoreHolderApp.class, storeDir.toString())) {
      holder.awaitLine(Duration.ofSeconds(60), "store open", "READY 0"::equals);
      assertThatThrownBy(() -> store(storeDir))
          .isInstanceOf(FallbackStoreException.class)
          .hasMessageContaining(storeDir.toString())
          .hasMessageContaining("in use by another process");
      assertNoSdkThreadLeft();
    }
    // Once the holder is gone, the file opens and holds nothing.
    try (JdbcFallbackStore store = store(storeDir)) {
      assertThat(store.count()).isZero();
    }
    assertNoSdkThreadLeft();
  }

  @Test
  void corruptStoreFile_failsNamingTheFile_andIsLeftAsItWas() throws Exception {
    Path storeDir = dir.resolve("store");
    store(storeDir).close();
    Path file;
    try (var files = Files.list(storeDir)) {
      file = files.filter(p -> p.toString().endsWith(".mv.db")).findFirst().orElseThrow();
    }
    byte[] garbage = new byte[64 * 1024];
    new java.util.Random(42).nextBytes(garbage);
    Files.write(file, garbage);
    assertThatThrownBy(() -> store(storeDir))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("corrupt");
    assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
    assertNoSdkThreadLeft();
  }

  private static JdbcFallbackStore store(Path dir) {
    return JdbcFallbackStore.h2(FallbackStoreConfig.custom().directory(dir).build());
  }

  private static ReliableProducer producer(String endpoints, JdbcFallbackStore store) {
    return ReliableProducer.create(
        ReliableProducerConfig.custom(
                ClientSettings.custom()
                    .endpoints(endpoints)
                    .sslEnabled(false)
                    .requestTimeout(Duration.ofSeconds(3))
                    .build())
            .retry(SendRetryConfig.custom().totalDeadline(Duration.ofSeconds(10)).build())
            .fallbackStore(store)
            .build());
  }

  private void assertNoSdkThreadLeft() {
    try {
      await("no thread left beyond those before the case")
          .atMost(Duration.ofSeconds(30))
          .until(() -> newThreads().isEmpty());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("threads left running: " + newThreads(), e);
    }
  }

  private Set<String> newThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t))
        .map(Thread::getName)
        .filter(n -> NOT_OURS.stream().noneMatch(n::startsWith))
        .collect(Collectors.toSet());
  }
}
