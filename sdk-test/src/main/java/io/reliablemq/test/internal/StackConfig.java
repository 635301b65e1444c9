package io.reliablemq.test.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Ports and configuration files of one embedded stack. The same instance is reused on restart so
 * the ports and the store stay the same.
 *
 * @param workDir root of the store, logs and config
 * @param namesrvPort NameServer port
 * @param brokerPort broker remoting port; the broker also binds {@code brokerPort - 2} (fast
 *     remoting) and {@code brokerPort + 1} (HA)
 * @param grpcPort proxy gRPC port (client endpoint)
 * @param proxyRemotingPort proxy remoting port
 */
public record StackConfig(
    Path workDir, int namesrvPort, int brokerPort, int grpcPort, int proxyRemotingPort) {

  /** Broker name used in routes. */
  public static final String BROKER_NAME = "embedded-broker";

  /** Cluster name. */
  public static final String CLUSTER_NAME = "DefaultCluster";

  /**
   * Picks fresh free ports.
   *
   * @param workDir the work dir
   * @return the config
   */
  public static StackConfig pick(Path workDir) {
    Ports ports = new Ports();
    int broker = ports.block(-2, 1);
    return new StackConfig(workDir, ports.free(), broker, ports.free(), ports.free());
  }

  /**
   * Broker properties before user overrides.
   *
   * @return the properties, sorted by key
   */
  public Map<String, String> brokerDefaults() {
    Map<String, String> p = new TreeMap<>();
    Path store = workDir.resolve("store");
    p.put("brokerClusterName", CLUSTER_NAME);
    p.put("brokerName", BROKER_NAME);
    p.put("brokerId", "0");
    p.put("brokerRole", "ASYNC_MASTER");
    p.put("flushDiskType", "ASYNC_FLUSH");
    p.put("rocketmqHome", workDir.toString());
    p.put("namesrvAddr", "127.0.0.1:" + namesrvPort);
    p.put("listenPort", Integer.toString(brokerPort));
    p.put("haListenPort", Integer.toString(brokerPort + 1));
    p.put("bindAddress", "127.0.0.1");
    p.put("brokerIP1", "127.0.0.1");
    p.put("brokerIP2", "127.0.0.1");
    p.put("storePathRootDir", store.toString());
    p.put("storePathCommitLog", store.resolve("commitlog").toString());
    p.put("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024));
    p.put("diskMaxUsedSpaceRatio", "95");
    return p;
  }

  /**
   * Writes {@code conf/broker.conf} and {@code conf/rmq-proxy.json} into the work dir.
   *
   * @param overrides user broker properties, applied last
   */
  public void write(Map<String, String> overrides) {
    write(overrides, Map.of());
  }

  /**
   * Writes {@code conf/broker.conf} and {@code conf/rmq-proxy.json} into the work dir.
   *
   * @param overrides user broker properties, applied last
   * @param proxyOverrides user proxy properties ({@code ProxyConfig} field names), applied last;
   *     numbers and booleans are written as JSON literals, anything else as a JSON string
   */
  public void write(Map<String, String> overrides, Map<String, String> proxyOverrides) {
    try {
      Path conf = workDir.resolve("conf");
      Files.createDirectories(conf);
      Properties props = new Properties();
      props.putAll(brokerDefaults());
      props.putAll(overrides);
      StringWriter w = new StringWriter();
      props.store(w, "written by EmbeddedRocketMQ");
      Files.writeString(conf.resolve("broker.conf"), w.toString(), StandardCharsets.UTF_8);
      ownerOnly(conf.resolve("broker.conf"));
      Map<String, String> proxy = new TreeMap<>(proxyDefaults());
      proxy.putAll(proxyOverrides);
      String json =
          "{\n"
              + "  \"rocketMQClusterName\": \""
              + CLUSTER_NAME
              + "\",\n"
              + "  \"proxyMode\": \"LOCAL\",\n"
              + "  \"namesrvAddr\": \"127.0.0.1:"
              + namesrvPort
              + "\",\n"
              + "  \"grpcServerPort\": "
              + grpcPort
              + ",\n"
              + "  \"remotingListenPort\": "
              + proxyRemotingPort
              + ",\n"
              + "  \"localServeAddr\": \"127.0.0.1\""
              + proxyJson(proxy)
              + "\n}\n";
      Files.writeString(conf.resolve("rmq-proxy.json"), json, StandardCharsets.UTF_8);
      ownerOnly(conf.resolve("rmq-proxy.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** With ACL 2.0 on, broker.conf holds the super user's password: owner-only, like any secret. */
  static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Not a POSIX file system: nothing to narrow.
    }
  }

  /**
   * Proxy settings that differ from RocketMQ's defaults. A push consumer's {@code close()} waits
   * for its in-flight long polls, and the proxy tells clients to poll for up to 20 s; 5 s (the
   * proxy's minimum) keeps a test's consumer close short without changing what is delivered.
   */
  static Map<String, String> proxyDefaults() {
    return Map.of("grpcClientConsumerMaxLongPollingTimeoutMillis", "5000");
  }

  static String proxyJson(Map<String, String> proxyOverrides) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(proxyOverrides)
        .forEach(
            (k, v) -> {
              if (!k.matches("[A-Za-z][A-Za-z0-9]*")) {
                throw new IllegalArgumentException("proxy property name is not a field name: " + k);
              }
              boolean literal = v.matches("-?[0-9]+|true|false");
              sb.append(",\n  \"").append(k).append("\": ");
              if (literal) {
                sb.append(v);
              } else {
                sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
              }
            });
    return sb.toString();
  }
}
