package io.reliablemq.test.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackConfigTest {
  @TempDir Path work;

  @Test
  void writesBrokerAndProxyConfigWithOverrides() throws Exception {
    StackConfig config = StackConfig.pick(work);
    config.write(Map.of("transactionCheckInterval", "1000", "mappedFileSizeCommitLog", "1048576"));
    Properties broker = new Properties();
    try (Reader r = Files.newBufferedReader(work.resolve("conf/broker.conf"))) {
      broker.load(r);
    }
    assertThat(broker.getProperty("listenPort")).isEqualTo(Integer.toString(config.brokerPort()));
    assertThat(broker.getProperty("haListenPort"))
        .isEqualTo(Integer.toString(config.brokerPort() + 1));
    assertThat(broker.getProperty("brokerIP1")).isEqualTo("127.0.0.1");
    assertThat(broker.getProperty("storePathRootDir")).isEqualTo(work.resolve("store").toString());
    assertThat(broker.getProperty("transactionCheckInterval")).isEqualTo("1000");
    assertThat(broker.getProperty("mappedFileSizeCommitLog")).isEqualTo("1048576");
    String json = Files.readString(work.resolve("conf/rmq-proxy.json"));
    assertThat(json)
        .contains("\"grpcServerPort\": " + config.grpcPort())
        .contains("\"remotingListenPort\": " + config.proxyRemotingPort())
        .contains("\"namesrvAddr\": \"127.0.0.1:" + config.namesrvPort() + "\"")
        .contains("\"proxyMode\": \"LOCAL\"");
    assertThat(
            java.util.Set.of(
                config.namesrvPort(),
                config.brokerPort() - 2,
                config.brokerPort(),
                config.brokerPort() + 1,
                config.grpcPort(),
                config.proxyRemotingPort()))
        .hasSize(6);
  }

  @Test
  void writesProxyOverridesAsJsonLiteralsOrStrings() throws Exception {
    StackConfig config = StackConfig.pick(work);
    config.write(
        Map.of(), Map.of("defaultInvisibleTimeMills", "15000", "someName", "a\"b", "flag", "true"));
    String json = Files.readString(work.resolve("conf/rmq-proxy.json"));
    assertThat(json)
        .contains("\"defaultInvisibleTimeMills\": 15000")
        .contains("\"flag\": true")
        .contains("\"someName\": \"a\\\"b\"")
        .contains("\"proxyMode\": \"LOCAL\"");
  }

  @Test
  void proxyLongPollIsShort_unlessOverridden() throws Exception {
    StackConfig config = StackConfig.pick(work);
    config.write(Map.of());
    assertThat(Files.readString(work.resolve("conf/rmq-proxy.json")))
        .contains("\"grpcClientConsumerMaxLongPollingTimeoutMillis\": 5000");
    config.write(Map.of(), Map.of("grpcClientConsumerMaxLongPollingTimeoutMillis", "20000"));
    assertThat(Files.readString(work.resolve("conf/rmq-proxy.json")))
        .contains("\"grpcClientConsumerMaxLongPollingTimeoutMillis\": 20000")
        .doesNotContain(": 5000");
  }
}
