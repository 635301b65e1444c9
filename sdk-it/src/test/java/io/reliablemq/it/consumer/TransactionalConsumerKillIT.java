package io.reliablemq.it.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.test.EmbeddedRocketMQ;
import io.reliablemq.test.EmbeddedRocketMQExtension;
import io.reliablemq.test.TopicType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional mode across a SIGKILL of the consumer JVM between the effect's commit and the ack:
 * the broker redelivers the message to the restarted consumer, which finds the CONSUMED mark that
 * committed with the effect and acknowledges without running the handler. The effect row exists
 * once.
 */
@ExtendWith(EmbeddedRocketMQExtension.class)
class TransactionalConsumerKillIT {
  @TempDir Path work;

  @Test
  void effectRowExistsOnce_whenTheConsumerIsKilledBetweenEffectAndAck(EmbeddedRocketMQ mq)
      throws Exception {
    String topic = EmbeddedRocketMQ.uniqueName("txkill");
    String group = EmbeddedRocketMQ.uniqueName("g");
    mq.createTopic(topic, TopicType.NORMAL);
    String db = work.resolve("business").toString();
    String id;
    try (ReliableProducer producer = ConsumerFixtures.producer(mq.endpoints())) {
      id = producer.send(ReliableMessage.builder(topic).body("kill-me").build()).reliableId();
    }

    long t0 = System.nanoTime();
    List<String> first = new CopyOnWriteArrayList<>();
    Process child = start(db, mq.endpoints(), group, topic, "block", 0, first);
    try {
      await("the effect to commit")
          .atMost(Duration.ofSeconds(60))
          .until(() -> first.contains("COMMITTED " + id));
    } finally {
      child.destroyForcibly(); // SIGKILL: the ack is never sent
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    long killedAt = System.nanoTime();
    List<String> second = new CopyOnWriteArrayList<>();
    Process restarted = start(db, mq.endpoints(), group, topic, "run", 1, second);
    try {
      await("the redelivery to be answered as a duplicate")
          .atMost(Duration.ofSeconds(90))
          .until(() -> second.stream().anyMatch(l -> l.startsWith("STATS ") && !l.endsWith(" 0")));
      System.out.printf(
          "TransactionalConsumerKillIT: effect committed %d ms after start, redelivery answered"
              + " as a duplicate %d ms after the kill%n",
          (killedAt - t0) / 1_000_000, (System.nanoTime() - killedAt) / 1_000_000);
      assertThat(second).doesNotContain("COMMITTED " + id);
    } finally {
      restarted.destroyForcibly();
      assertThat(restarted.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + db);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM effects WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("effect rows of %s", id).isEqualTo(1);
      }
    }
  }

  private Process start(
      String db, String endpoints, String group, String topic, String mode, int n, List<String> out)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Drocketmq.log.root=" + work.resolve("client-" + n));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TransactionalConsumerApp.class.getName());
    cmd.add(db);
    cmd.add(endpoints);
    cmd.add(group);
    cmd.add(topic);
    cmd.add(mode);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(work.resolve("child-" + n + ".err").toFile());
    Process p = pb.start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  out.add(line);
                }
              } catch (IOException e) {
                // the pipe closes when the child dies
              }
            },
            "child-reader-" + n);
    reader.setDaemon(true);
    reader.start();
    return p;
  }
}
