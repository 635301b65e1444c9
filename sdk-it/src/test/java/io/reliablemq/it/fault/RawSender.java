package io.reliablemq.it.fault;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * The raw {@code rocketmq-client-java} producer beside the SDK in a cluster scenario: one thread
 * sending to its own topic at a steady pace with the client's defaults (3 attempts), so that a run
 * reports what the same fault did to an application without the SDK.
 */
final class RawSender implements AutoCloseable {
  /** One send: when it returned (wall clock, ms), how long it took, and its error class if any. */
  record Send(long atMillis, long micros, String error) {}

  private final Producer producer;
  private final String topic;
  private final long pauseMs;
  private final List<Send> sends = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  RawSender(String endpoints, String topic, long pauseMs) throws Exception {
    ClientServiceProvider provider = ClientServiceProvider.loadService();
    this.topic = topic;
    this.pauseMs = pauseMs;
    this.producer =
        provider
            .newProducerBuilder()
            .setClientConfiguration(
                ClientConfiguration.newBuilder()
                    .setEndpoints(endpoints)
                    .enableSsl(false)
                    .setRequestTimeout(Duration.ofSeconds(1))
                    .build())
            .setTopics(topic)
            .build();
    this.thread = new Thread(() -> loop(provider), "raw-sender");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop(ClientServiceProvider provider) {
    long i = 0;
    while (running) {
      long t0 = System.nanoTime();
      String error = null;
      try {
        producer.send(
            provider
                .newMessageBuilder()
                .setTopic(topic)
                .setBody(("raw-" + i++).getBytes(StandardCharsets.UTF_8))
                .build());
      } catch (Exception e) {
        error = e.getClass().getSimpleName();
      }
      synchronized (sends) {
        sends.add(new Send(System.currentTimeMillis(), (System.nanoTime() - t0) / 1000, error));
      }
      FaultRun.sleep(pauseMs);
    }
  }

  /** The sends that returned in {@code [from, to)} (wall clock, ms). */
  List<Send> between(long from, long to) {
    synchronized (sends) {
      return sends.stream().filter(s -> s.atMillis() >= from && s.atMillis() < to).toList();
    }
  }

  @Override
  public void close() throws Exception {
    running = false;
    thread.join(10_000);
    producer.close();
  }
}
