package io.reliablemq.bench;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendOutcome;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Allocation per synchronous send of a 1 KiB message, the SDK against the raw client, on a live
 * broker whose endpoints and topic the harness passes as parameters. Run with JMH's {@code gc}
 * profiler; its {@code gc.alloc.rate.norm} is the figure (bytes per send, all threads).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class SendAllocBenchmarks {
  /** The proxy's endpoints, set by the harness. */
  @Param("127.0.0.1:8081")
  public String endpoints;

  /** An existing NORMAL topic, set by the harness. */
  @Param("bench-alloc")
  public String topic;

  private final byte[] body = new byte[1024];
  private ClientServiceProvider provider;
  private ReliableProducer sdk;
  private Producer raw;

  /** Creates the benchmark; JMH instantiates it. */
  public SendAllocBenchmarks() {}

  /**
   * Connects both producers.
   *
   * @throws ClientException when the raw producer cannot start
   */
  @Setup(Level.Trial)
  public void open() throws ClientException {
    provider = ClientServiceProvider.loadService();
    sdk =
        ReliableProducer.create(
            ReliableProducerConfig.ofDefaults(
                ClientSettings.custom().endpoints(endpoints).sslEnabled(false).build()));
    raw =
        provider
            .newProducerBuilder()
            .setClientConfiguration(
                ClientConfiguration.newBuilder().setEndpoints(endpoints).enableSsl(false).build())
            .setTopics(topic)
            .build();
  }

  /**
   * Closes both producers.
   *
   * @throws java.io.IOException when the raw producer fails to close
   */
  @TearDown(Level.Trial)
  public void close() throws java.io.IOException {
    sdk.close();
    raw.close();
  }

  /**
   * One send through the SDK.
   *
   * @return the outcome
   */
  @Benchmark
  public SendOutcome sdkSend() {
    return sdk.send(ReliableMessage.builder(topic).body(body).build());
  }

  /**
   * One send through the raw client.
   *
   * @return the receipt
   * @throws ClientException when the send fails
   */
  @Benchmark
  public SendReceipt rawSend() throws ClientException {
    return raw.send(provider.newMessageBuilder().setTopic(topic).setBody(body).build());
  }
}
