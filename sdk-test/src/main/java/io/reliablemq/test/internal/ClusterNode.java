package io.reliablemq.test.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * One node of {@code EmbeddedRocketMQCluster}: its role, name, ports, work dir and configuration,
 * and the {@link ChildProcess} it runs in. Ports are chosen once, so a restarted node comes back on
 * the same address with the same store.
 */
public final class ClusterNode {
  /** What a node runs. */
  public enum Role {
    /** A NameServer. */
    NAMESRV,
    /** A broker: a group's master, or in controller mode any node of a group. */
    BROKER,
    /** A proxy in CLUSTER mode. */
    PROXY
  }

  /**
   * A NameServer's {@code conf/} file with the embedded controller's properties ({@code
   * ControllerConfig} fields); the NameServer runs a controller only if it exists.
   */
  public static final String CONTROLLER_CONF = "controller.properties";

  private final Role role;
  private final String name;
  private final String group;
  private final Path dir;
  private final int port;
  private final int secondPort;
  private final ChildProcess process;

  private ClusterNode(Role role, String name, String group, Path dir, int port, int secondPort) {
    this.role = role;
    this.name = name;
    this.group = group;
    this.dir = dir;
    this.port = port;
    this.secondPort = secondPort;
    String log =
        switch (role) {
          case NAMESRV -> "logs/rocketmqlogs/namesrv.log";
          case BROKER -> "logs/rocketmqlogs/broker.log";
          case PROXY -> "logs/rocketmqlogs/proxy.log";
        };
    this.process = new ChildProcess(name, dir, List.of(log));
  }

  /**
   * A NameServer node.
   *
   * @param name node name
   * @param dir its work dir
   * @param ports the cluster's port picker
   * @return the node
   */
  public static ClusterNode namesrv(String name, Path dir, Ports ports) {
    // The second port is the embedded controller's (used only in controller mode).
    return new ClusterNode(Role.NAMESRV, name, null, dir, ports.free(), ports.free());
  }

  /**
   * A broker node; its remoting port {@code p} comes with {@code p-2} (fast remoting) and {@code
   * p+1} (HA) free as well.
   *
   * @param name node name
   * @param group its broker name (the group), shared by a group's nodes
   * @param dir its work dir
   * @param ports the cluster's port picker
   * @return the node
   */
  public static ClusterNode broker(String name, String group, Path dir, Ports ports) {
    return new ClusterNode(Role.BROKER, name, group, dir, ports.block(-2, 1), -1);
  }

  /**
   * A proxy node with a gRPC port and a remoting port.
   *
   * @param name node name
   * @param dir its work dir
   * @param ports the cluster's port picker
   * @return the node
   */
  public static ClusterNode proxy(String name, Path dir, Ports ports) {
    return new ClusterNode(Role.PROXY, name, null, dir, ports.free(), ports.free());
  }

  /**
   * The node's role.
   *
   * @return the role
   */
  public Role role() {
    return role;
  }

  /**
   * The node's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * A broker's group (its broker name in routes).
   *
   * @return the group, or null if not a broker
   */
  public String group() {
    return group;
  }

  /**
   * A NameServer's embedded controller address (served only in controller mode).
   *
   * @return {@code 127.0.0.1:<port>}
   * @throws IllegalStateException if not a NameServer
   */
  public String controllerAddress() {
    if (role != Role.NAMESRV) {
      throw new IllegalStateException(name + " is not a NameServer");
    }
    return "127.0.0.1:" + secondPort;
  }

  /**
   * The node's work dir.
   *
   * @return the dir
   */
  public Path dir() {
    return dir;
  }

  /**
   * The node's address: NameServer port, broker remoting port or proxy gRPC port on 127.0.0.1.
   *
   * @return {@code 127.0.0.1:<port>}
   */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /**
   * The node's child process.
   *
   * @return the process handle
   */
  public ChildProcess process() {
    return process;
  }

  /**
   * Broker properties before user overrides.
   *
   * @param namesrvAddr every NameServer, {@code ;}-separated
   * @param syncFlush whether the broker flushes each message before acknowledging it
   * @return the properties, sorted by key
   */
  Map<String, String> brokerDefaults(String namesrvAddr, boolean syncFlush) {
    Map<String, String> p = new TreeMap<>();
    Path store = dir.resolve("store");
    p.put("brokerClusterName", StackConfig.CLUSTER_NAME);
    p.put("brokerName", group);
    p.put("brokerId", "0");
    p.put("brokerRole", "ASYNC_MASTER");
    p.put("flushDiskType", syncFlush ? "SYNC_FLUSH" : "ASYNC_FLUSH");
    p.put("rocketmqHome", dir.toString());
    p.put("namesrvAddr", namesrvAddr);
    p.put("listenPort", Integer.toString(port));
    p.put("haListenPort", Integer.toString(port + 1));
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
   * Writes the node's configuration file ({@code conf/broker.conf} or {@code conf/rmq-proxy.json};
   * a NameServer takes its port on the command line).
   *
   * @param namesrvAddr every NameServer, {@code ;}-separated
   * @param syncFlush brokers: whether to flush each message before acknowledging it
   * @param modeProperties brokers: properties of the group's mode (controller mode), applied over
   *     the defaults; NameServers: the embedded controller's properties, none for no controller
   * @param brokerOverrides user broker properties, applied last
   * @param proxyOverrides user proxy properties ({@code ProxyConfig} field names), applied last
   */
  public void writeConfig(
      String namesrvAddr,
      boolean syncFlush,
      Map<String, String> modeProperties,
      Map<String, String> brokerOverrides,
      Map<String, String> proxyOverrides) {
    try {
      Path conf = dir.resolve("conf");
      Files.createDirectories(conf);
      if (role == Role.BROKER) {
        Properties props = new Properties();
        props.putAll(brokerDefaults(namesrvAddr, syncFlush));
        props.putAll(modeProperties);
        props.putAll(brokerOverrides);
        writeProperties(conf.resolve("broker.conf"), props);
      } else if (role == Role.NAMESRV) {
        Path controller = conf.resolve(CONTROLLER_CONF);
        if (modeProperties.isEmpty()) {
          Files.deleteIfExists(controller);
        } else {
          Properties props = new Properties();
          props.putAll(modeProperties);
          writeProperties(controller, props);
        }
      } else if (role == Role.PROXY) {
        Map<String, String> proxy = new TreeMap<>(StackConfig.proxyDefaults());
        proxy.put("proxyMode", "cluster");
        proxy.put("namesrvAddr", namesrvAddr);
        proxy.put("grpcServerPort", Integer.toString(port));
        proxy.put("remotingListenPort", Integer.toString(secondPort));
        proxy.put("localServeAddr", "127.0.0.1");
        proxy.putAll(proxyOverrides);
        String json =
            "{\n  \"rocketMQClusterName\": \""
                + StackConfig.CLUSTER_NAME
                + "\""
                + StackConfig.proxyJson(proxy)
                + "\n}\n";
        Files.writeString(conf.resolve("rmq-proxy.json"), json, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeProperties(Path file, Properties props) throws IOException {
    StringWriter w = new StringWriter();
    props.store(w, "written by EmbeddedRocketMQCluster");
    Files.writeString(file, w.toString(), StandardCharsets.UTF_8);
  }

  /**
   * Starts the node's child JVM and waits until it reports ready.
   *
   * @param javaExecutable the {@code java} executable
   * @param userOptions JVM options appended after the defaults
   * @param readyTimeout how long to wait
   */
  public void start(String javaExecutable, List<String> userOptions, Duration readyTimeout) {
    List<String> memory = new ArrayList<>();
    switch (role) {
      case NAMESRV -> memory.add("-Xmx128m");
      case BROKER -> {
        memory.add("-Xmx256m");
        memory.add("-XX:MaxDirectMemorySize=256m");
      }
      case PROXY -> memory.add("-Xmx256m");
    }
    // Small heaps, one GC thread and C1 only: five JVMs share two cores.
    memory.add("-XX:+UseSerialGC");
    memory.add("-XX:TieredStopAtLevel=1");
    if (role != Role.PROXY) {
      // Plaintext between the nodes on 127.0.0.1: the default "permissive" mode generates a
      // self-signed RSA key per remoting server, seconds of CPU without C2. Proxies keep it, so
      // clients may connect with TLS or without, as to EmbeddedRocketMQ.
      memory.add("-Dtls.server.mode=disabled");
    }
    List<String> args = new ArrayList<>();
    args.add(role.name().toLowerCase(Locale.ROOT));
    args.add(dir.toString());
    if (role == Role.NAMESRV) {
      args.add(Integer.toString(port));
    }
    process.start(
        ChildProcess.javaCommand(
            javaExecutable,
            dir,
            memory,
            userOptions,
            // By name: the parent must never load the launcher (it needs the broker's jars).
            "io.reliablemq.test.internal.ClusterNodeLauncher",
            args),
        readyTimeout);
  }

  @Override
  public String toString() {
    return name + "[" + address() + "]";
  }
}
