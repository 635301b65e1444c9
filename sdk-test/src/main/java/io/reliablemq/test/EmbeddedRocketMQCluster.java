package io.reliablemq.test;

import io.reliablemq.test.internal.AclConfig;
import io.reliablemq.test.internal.BrokerLib;
import io.reliablemq.test.internal.ClusterNode;
import io.reliablemq.test.internal.ControlProtocol;
import io.reliablemq.test.internal.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A real RocketMQ 5 cluster for tests: NameServers, broker groups (a master each) and proxies in
 * CLUSTER mode, every node in a child JVM of its own started from the same cached broker jars, so a
 * test can kill ({@code SIGKILL}), pause ({@code SIGSTOP}), resume and restart each node by name.
 *
 * <p>Nodes are named {@code namesrv-0, namesrv-1, ...}, {@code broker-a, broker-b, ...} (the master
 * of broker group {@code broker-a} is the node {@code broker-a}; the broker name in routes is the
 * same) and {@code proxy-0, proxy-1, ...}. Every port is a random free port on 127.0.0.1, chosen
 * once: a restarted node keeps its ports and its store. No child outlives this JVM (a shutdown hook
 * kills them, and each halts when its stdin reaches EOF). Each node logs to {@code
 * nodeDir(name)/logs}.
 *
 * <p>RocketMQ's own timings are kept, because they are what a fault test is about: brokers
 * re-register with the NameServers every 30 s ({@code registerNameServerPeriod}, at least 10 s), a
 * proxy refreshes a topic's route 20 s after loading it ({@code
 * topicRouteServiceCacheRefreshSeconds}). A restarted NameServer comes back empty until the
 * brokers' next registration. Change them with {@link Builder#brokerProperty} and {@link
 * Builder#proxyProperty}.
 *
 * <pre>{@code
 * try (EmbeddedRocketMQCluster cluster =
 *     EmbeddedRocketMQCluster.builder().brokerGroups(2).proxies(2).build().start()) {
 *   cluster.createTopic("orders", TopicType.NORMAL);     // on every group, served by every proxy
 *   // ClientConfiguration.newBuilder().setEndpoints(cluster.endpoints()).enableSsl(false)...
 *   cluster.kill("broker-b");                             // SIGKILL one group's master
 *   cluster.restart("broker-b");                          // same ports, same store
 * }
 * }</pre>
 *
 * <p>Not thread-safe for concurrent lifecycle calls on one node; admin calls may come from several
 * threads.
 */
public final class EmbeddedRocketMQCluster implements AutoCloseable {
  /** Most NameServers, broker groups or proxies a cluster can have. */
  public static final int MAX_NODES_PER_ROLE = 5;

  /** Most broker groups ({@code broker-a} to {@code broker-z}). */
  public static final int MAX_BROKER_GROUPS = 26;

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 100;

  private final Path workDir;
  private final boolean ownsWorkDir;
  private final boolean syncFlush;
  private final Map<String, String> brokerProperties;
  private final Map<String, String> proxyProperties;
  private final Duration startTimeout;
  private final String javaExecutable;
  private final List<String> jvmOptions;
  private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
  private final String namesrvAddress;

  private Thread shutdownHook;
  private boolean started;
  private boolean closed;

  private EmbeddedRocketMQCluster(Builder b) {
    try {
      if (b.workDir != null) {
        this.workDir = Files.createDirectories(b.workDir).toAbsolutePath();
        this.ownsWorkDir = false;
      } else {
        this.workDir = Files.createTempDirectory("embedded-rocketmq-cluster-").toAbsolutePath();
        this.ownsWorkDir = true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create work dir", e);
    }
    this.syncFlush = b.syncFlush;
    this.brokerProperties = Map.copyOf(AclConfig.withBroker(b.auth, b.brokerProperties));
    this.proxyProperties = Map.copyOf(AclConfig.withProxy(b.auth, b.proxyProperties));
    this.startTimeout = b.startTimeout;
    this.javaExecutable = b.javaExecutable;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    Ports ports = new Ports();
    for (int i = 0; i < b.nameServers; i++) {
      add(ClusterNode.namesrv("namesrv-" + i, workDir.resolve("namesrv-" + i), ports));
    }
    for (int i = 0; i < b.brokerGroups; i++) {
      String name = "broker-" + (char) ('a' + i);
      add(ClusterNode.broker(name, workDir.resolve(name), ports));
    }
    for (int i = 0; i < b.proxies; i++) {
      add(ClusterNode.proxy("proxy-" + i, workDir.resolve("proxy-" + i), ports));
    }
    this.namesrvAddress =
        byRole(ClusterNode.Role.NAMESRV).stream()
            .map(ClusterNode::address)
            .collect(Collectors.joining(";"));
  }

  private void add(ClusterNode node) {
    nodes.put(node.name(), node);
  }

  /**
   * Returns a new builder: by default one NameServer, two broker groups and one proxy.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts every node and blocks until the NameServers run, every broker is registered with every
   * NameServer and every proxy accepts connections. NameServers start first; brokers and proxies
   * then start side by side.
   *
   * @return this
   * @throws IllegalStateException if already started or closed, or a node failed to start (every
   *     node is then killed; the message includes the tail of the failed node's logs)
   */
  public synchronized EmbeddedRocketMQCluster start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    shutdownHook = new Thread(this::killAll, "embedded-rocketmq-cluster-killer");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      startAll(byRole(ClusterNode.Role.NAMESRV));
      List<ClusterNode> rest = new ArrayList<>(byRole(ClusterNode.Role.BROKER));
      rest.addAll(byRole(ClusterNode.Role.PROXY));
      startAll(rest);
    } catch (RuntimeException e) {
      killAll();
      throw e;
    }
    return this;
  }

  private void startAll(List<ClusterNode> group) {
    ExecutorService executor = Executors.newFixedThreadPool(group.size());
    try {
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (ClusterNode node : group) {
        futures.add(CompletableFuture.runAsync(() -> startNode(node), executor));
      }
      RuntimeException failure = null;
      for (CompletableFuture<Void> f : futures) {
        try {
          f.join();
        } catch (CompletionException e) {
          RuntimeException cause =
              e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      executor.shutdownNow();
    }
  }

  private void startNode(ClusterNode node) {
    node.writeConfig(namesrvAddress, syncFlush, brokerProperties, proxyProperties);
    node.start(javaExecutable, jvmOptions, startTimeout);
    if (node.role() == ClusterNode.Role.BROKER) {
      awaitRegistered(node, startTimeout);
    }
  }

  /** Waits until every running NameServer lists the broker's group with a master. */
  private void awaitRegistered(ClusterNode broker, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextRegister = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (true) {
      List<String> missing = new ArrayList<>();
      for (ClusterNode ns : running(ClusterNode.Role.NAMESRV)) {
        String brokers = ns.process().command(ControlProtocol.BROKERS, COMMAND_TIMEOUT);
        if (!List.of(brokers.split(",")).contains(broker.name())) {
          missing.add(ns.name());
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            broker.name() + " is not registered with " + missing + " after " + timeout);
      }
      if (System.nanoTime() > nextRegister) {
        // Its first registration can lose a race with a NameServer that was just starting.
        broker.process().command(ControlProtocol.REGISTER, COMMAND_TIMEOUT);
        nextRegister = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      }
      sleep();
    }
  }

  /**
   * Every proxy's gRPC endpoint, {@code ;}-separated ({@code 127.0.0.1:p0;127.0.0.1:p1}): give it
   * to {@code rocketmq-client-java} as is ({@code enableSsl(false)}); the client fails over between
   * them.
   *
   * @return the endpoints
   */
  public String endpoints() {
    return byRole(ClusterNode.Role.PROXY).stream()
        .map(ClusterNode::address)
        .collect(Collectors.joining(";"));
  }

  /**
   * One proxy's gRPC endpoint.
   *
   * @param proxy the proxy's node name, e.g. {@code proxy-0}
   * @return {@code 127.0.0.1:<port>}
   * @throws IllegalArgumentException if there is no such proxy
   */
  public String endpoint(String proxy) {
    return node(proxy, ClusterNode.Role.PROXY).address();
  }

  /**
   * Every NameServer's address, {@code ;}-separated, for remoting clients and admin tools.
   *
   * @return the addresses
   */
  public String namesrvAddress() {
    return namesrvAddress;
  }

  /**
   * Every node's name: NameServers, brokers, proxies.
   *
   * @return the names
   */
  public List<String> nodes() {
    return List.copyOf(nodes.keySet());
  }

  /**
   * The broker groups' names ({@code broker-a}, ...), which are also their masters' node names.
   *
   * @return the names
   */
  public List<String> brokerGroups() {
    return names(ClusterNode.Role.BROKER);
  }

  /**
   * The NameServers' node names.
   *
   * @return the names
   */
  public List<String> nameServers() {
    return names(ClusterNode.Role.NAMESRV);
  }

  /**
   * The proxies' node names.
   *
   * @return the names
   */
  public List<String> proxies() {
    return names(ClusterNode.Role.PROXY);
  }

  /**
   * Creates (or updates) a topic with {@value EmbeddedRocketMQ#DEFAULT_QUEUES} queues in every
   * broker group; see {@link #createTopic(String, TopicType, int)}.
   *
   * @param name topic name ({@code [%|a-zA-Z0-9_-]}, at most 127 chars)
   * @param type message type accepted by the topic
   */
  public void createTopic(String name, TopicType type) {
    createTopic(name, type, EmbeddedRocketMQ.DEFAULT_QUEUES);
  }

  /**
   * Creates (or updates) a topic in every broker group and returns once every running NameServer
   * routes it to every group and every running proxy serves that route (the proxies' cached route
   * is dropped, so this does not wait for their refresh). The brokers do the work in their own
   * JVMs: no admin JVM is started.
   *
   * @param name topic name ({@code [%|a-zA-Z0-9_-]}, at most 127 chars)
   * @param type message type accepted by the topic
   * @param queuesPerGroup read and write queue count in each group, 1..1024
   * @throws IllegalStateException if a broker group's master or every NameServer is down, or the
   *     route is not served within 30 s
   */
  public void createTopic(String name, TopicType type, int queuesPerGroup) {
    Objects.requireNonNull(type, "type");
    String line = ControlProtocol.createTopic(name, type.name(), queuesPerGroup);
    List<ClusterNode> brokers = requireAllBrokersRunning();
    for (ClusterNode broker : brokers) {
      broker.process().command(line, COMMAND_TIMEOUT);
    }
    long deadline = System.nanoTime() + ROUTE_TIMEOUT.toNanos();
    long nextRegister = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    List<ClusterNode> nameServers = running(ClusterNode.Role.NAMESRV);
    if (nameServers.isEmpty()) {
      throw new IllegalStateException("no NameServer is running");
    }
    String expected = expectedRoute(brokers, queuesPerGroup);
    for (ClusterNode ns : nameServers) {
      while (!expected.equals(route(ns, name, false))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              ns.name()
                  + " routes "
                  + name
                  + " to ["
                  + route(ns, name, false)
                  + "], not "
                  + expected);
        }
        if (System.nanoTime() > nextRegister) {
          for (ClusterNode broker : brokers) {
            broker.process().command(ControlProtocol.REGISTER, COMMAND_TIMEOUT);
          }
          nextRegister = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        }
        sleep();
      }
    }
    for (ClusterNode proxy : running(ClusterNode.Role.PROXY)) {
      while (!expected.equals(route(proxy, name, true))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              proxy.name() + " routes " + name + " to [" + route(proxy, name, false) + "]");
        }
        sleep();
      }
    }
  }

  /**
   * Creates (or updates) a consumer group in every broker group. Groups are created automatically
   * on first use, but a FIFO consumer needs its group created with {@code fifo = true} ({@code
   * consumeMessageOrderly}).
   *
   * @param name group name
   * @param fifo whether messages are delivered in order within a message group
   * @throws IllegalStateException if a broker group's master is down
   */
  public void createConsumerGroup(String name, boolean fifo) {
    String line = ControlProtocol.createGroup(name, fifo);
    for (ClusterNode broker : requireAllBrokersRunning()) {
      broker.process().command(line, COMMAND_TIMEOUT);
    }
  }

  /**
   * Waits until every running NameServer and every running proxy routes the topic to every broker
   * group whose master is running, without nudging the brokers or touching the proxies' route
   * caches: after a broker or NameServer restart this takes as long as it takes in production (up
   * to the brokers' next registration plus the proxies' route refresh).
   *
   * @param topic the topic
   * @param timeout the bound
   * @throws IllegalStateException if a NameServer or proxy does not serve that route within the
   *     timeout
   */
  public void awaitRoute(String topic, Duration timeout) {
    ControlProtocol.checkName(topic);
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ClusterNode> routers = new ArrayList<>(running(ClusterNode.Role.NAMESRV));
    routers.addAll(running(ClusterNode.Role.PROXY));
    for (ClusterNode router : routers) {
      while (true) {
        List<String> routed = routedGroups(route(router, topic, false));
        List<String> missing = new ArrayList<>();
        for (ClusterNode broker : running(ClusterNode.Role.BROKER)) {
          if (!routed.contains(broker.name())) {
            missing.add(broker.name());
          }
        }
        if (missing.isEmpty()) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              router.name() + " does not route " + topic + " to " + missing + " after " + timeout);
        }
        sleep();
      }
    }
  }

  /**
   * How many messages a broker's store holds for a topic (the sum of its queues' max offsets): a
   * test's witness that a group took writes.
   *
   * @param broker the broker's node name, e.g. {@code broker-a}
   * @param topic the topic
   * @return the count, 0 if the broker does not know the topic
   * @throws IllegalStateException if the broker is not running
   */
  public long storedMessageCount(String broker, String topic) {
    ControlProtocol.checkName(topic);
    String payload =
        node(broker, ClusterNode.Role.BROKER)
            .process()
            .command(ControlProtocol.MESSAGES + " " + topic, COMMAND_TIMEOUT);
    return Long.parseLong(payload);
  }

  /**
   * Kills a node with SIGKILL, like a crash, and waits for its process to exit.
   *
   * @param node the node's name
   */
  public void kill(String node) {
    node(node).process().kill();
  }

  /**
   * Freezes a node with SIGSTOP: a hung node (connections stay open, nothing answers).
   *
   * @param node the node's name
   * @throws IllegalStateException if it is not running
   */
  public void pause(String node) {
    requireRunning(node(node)).process().signal("STOP");
  }

  /**
   * Resumes a paused node with SIGCONT.
   *
   * @param node the node's name
   * @throws IllegalStateException if it is not running
   */
  public void resume(String node) {
    requireRunning(node(node)).process().signal("CONT");
  }

  /**
   * Stops a node gracefully (a broker flushes and unregisters) and waits for it to exit; escalates
   * to SIGTERM, then SIGKILL, after 30 s. Resumes a paused node first.
   *
   * @param node the node's name
   */
  public void stop(String node) {
    node(node).process().stop();
  }

  /**
   * Starts a stopped or killed node on its ports and store and blocks until it is ready (a broker:
   * registered with every running NameServer). A restarted NameServer is empty until the brokers
   * register again on their own period.
   *
   * @param node the node's name
   * @throws IllegalStateException if it is running, the cluster was never started or is closed, or
   *     the node fails to start
   */
  public synchronized void start(String node) {
    if (!started || closed) {
      throw new IllegalStateException("cluster is not started or is closed");
    }
    startNode(node(node));
  }

  /**
   * Stops a node if it runs (gracefully) and starts it again; see {@link #start(String)}.
   *
   * @param node the node's name
   */
  public void restart(String node) {
    stop(node);
    start(node);
  }

  /**
   * Whether a node's JVM is alive (a paused node counts as running).
   *
   * @param node the node's name
   * @return true if alive
   */
  public boolean isRunning(String node) {
    return node(node).process().isAlive();
  }

  /**
   * A node's process id while it runs.
   *
   * @param node the node's name
   * @return the pid, or -1 if not running
   */
  public long pid(String node) {
    return node(node).process().pid();
  }

  /**
   * The cluster's work dir, holding one directory per node.
   *
   * @return the absolute path
   */
  public Path workDir() {
    return workDir;
  }

  /**
   * A node's work dir, holding its {@code conf/}, {@code logs/} and (brokers) {@code store/}.
   *
   * @param node the node's name
   * @return the absolute path
   */
  public Path nodeDir(String node) {
    return node(node).dir();
  }

  /** Kills every node and deletes the work dir if this instance created it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    killAll();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // JVM shutting down.
      }
    }
    if (ownsWorkDir) {
      BrokerLib.deleteRecursively(workDir);
    }
  }

  @Override
  public String toString() {
    return "EmbeddedRocketMQCluster[" + nodes.values() + ", " + workDir + "]";
  }

  private void killAll() {
    for (ClusterNode node : nodes.values()) {
      node.process().kill();
    }
  }

  private ClusterNode node(String name) {
    ClusterNode node = nodes.get(Objects.requireNonNull(name, "node"));
    if (node == null) {
      throw new IllegalArgumentException("no node named " + name + "; nodes: " + nodes.keySet());
    }
    return node;
  }

  private ClusterNode node(String name, ClusterNode.Role role) {
    ClusterNode node = node(name);
    if (node.role() != role) {
      throw new IllegalArgumentException(name + " is a " + node.role() + ", not a " + role);
    }
    return node;
  }

  private static ClusterNode requireRunning(ClusterNode node) {
    if (!node.process().isAlive()) {
      throw new IllegalStateException(node.name() + " is not running");
    }
    return node;
  }

  private List<ClusterNode> requireAllBrokersRunning() {
    List<ClusterNode> brokers = byRole(ClusterNode.Role.BROKER);
    for (ClusterNode broker : brokers) {
      requireRunning(broker);
    }
    return brokers;
  }

  private List<ClusterNode> byRole(ClusterNode.Role role) {
    return nodes.values().stream().filter(n -> n.role() == role).toList();
  }

  private List<ClusterNode> running(ClusterNode.Role role) {
    return byRole(role).stream().filter(n -> n.process().isAlive()).toList();
  }

  private List<String> names(ClusterNode.Role role) {
    return byRole(role).stream().map(ClusterNode::name).toList();
  }

  private static String route(ClusterNode node, String topic, boolean fresh) {
    return node.process()
        .command(ControlProtocol.ROUTE + " " + topic + (fresh ? " fresh" : ""), COMMAND_TIMEOUT);
  }

  private static String expectedRoute(List<ClusterNode> brokers, int queues) {
    return brokers.stream()
        .map(b -> b.name() + ":" + queues)
        .sorted()
        .collect(Collectors.joining(","));
  }

  private static List<String> routedGroups(String route) {
    List<String> groups = new ArrayList<>();
    for (String part : route.split(",")) {
      int colon = part.indexOf(':');
      if (colon > 0 && Integer.parseInt(part.substring(colon + 1)) > 0) {
        groups.add(part.substring(0, colon));
      }
    }
    return groups;
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Builder of {@link EmbeddedRocketMQCluster}. */
  public static final class Builder {
    private int nameServers = 1;
    private int brokerGroups = 2;
    private int proxies = 1;
    private boolean syncFlush;
    private Path workDir;
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private final Map<String, String> proxyProperties = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(120);
    private String javaExecutable =
        Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    private final List<String> jvmOptions = new ArrayList<>();
    private AclUser auth;

    private Builder() {}

    /**
     * Turns on RocketMQ ACL 2.0 in every broker and proxy: each broker creates the super user on
     * its first start, and each proxy authenticates and authorizes every gRPC request against the
     * brokers' users, presenting the super user's credentials ({@code
     * innerClientAuthenticationCredentials}) on its own requests to them. Only the super user
     * exists. Default: off.
     *
     * @param superUser the super user's name ({@code [a-zA-Z0-9_-]}, at most 64 chars)
     * @param superPassword its password, not blank
     * @return this
     */
    public Builder authentication(String superUser, String superPassword) {
      this.auth = AclUser.custom(superUser, superPassword).build();
      return this;
    }

    /**
     * How many NameServers, 1..{@value EmbeddedRocketMQCluster#MAX_NODES_PER_ROLE}. Default 1.
     *
     * @param count the count
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder nameServers(int count) {
      this.nameServers = checkCount("nameServers", count, MAX_NODES_PER_ROLE);
      return this;
    }

    /**
     * How many broker groups, 1..{@value EmbeddedRocketMQCluster#MAX_BROKER_GROUPS}, each a master:
     * {@code broker-a}, {@code broker-b}, ... Default 2.
     *
     * @param count the count
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder brokerGroups(int count) {
      this.brokerGroups = checkCount("brokerGroups", count, MAX_BROKER_GROUPS);
      return this;
    }

    /**
     * How many proxies (CLUSTER mode), 1..{@value EmbeddedRocketMQCluster#MAX_NODES_PER_ROLE}.
     * Default 1.
     *
     * @param count the count
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder proxies(int count) {
      this.proxies = checkCount("proxies", count, MAX_NODES_PER_ROLE);
      return this;
    }

    /**
     * Whether brokers flush every message to disk before acknowledging it ({@code
     * flushDiskType=SYNC_FLUSH}) instead of asynchronously ({@code ASYNC_FLUSH}, the default).
     *
     * @param sync true for SYNC_FLUSH
     * @return this
     */
    public Builder syncFlush(boolean sync) {
      this.syncFlush = sync;
      return this;
    }

    /**
     * Sets a property of every broker (a {@code broker.conf} key), applied over the defaults, e.g.
     * {@code registerNameServerPeriod} or {@code brokerRole}.
     *
     * @param key property name
     * @param value property value
     * @return this
     */
    public Builder brokerProperty(String key, String value) {
      brokerProperties.put(
          Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Overrides a setting of every proxy ({@code org.apache.rocketmq.proxy.config.ProxyConfig}
     * field name), e.g. {@code topicRouteServiceCacheRefreshSeconds}.
     *
     * @param key field name
     * @param value value; numbers and booleans are written as such
     * @return this
     */
    public Builder proxyProperty(String key, String value) {
      proxyProperties.put(
          Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Uses a given work dir (kept on close; reusing it reuses the stores). Default: a temporary
     * directory deleted on {@link EmbeddedRocketMQCluster#close()}.
     *
     * @param dir the directory
     * @return this
     */
    public Builder workDir(Path dir) {
      this.workDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * How long each node's start waits for its readiness. Default 120 s.
     *
     * @param timeout the timeout, positive
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder startTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive: " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Uses the {@code bin/java} of another Java 17+ installation. Default: this JVM's.
     *
     * @param javaHome the installation
     * @return this
     */
    public Builder javaHome(Path javaHome) {
      return javaExecutable(javaHome.resolve("bin").resolve("java").toString());
    }

    /**
     * Uses a given {@code java} executable for every node.
     *
     * @param executable path of the executable
     * @return this
     */
    public Builder javaExecutable(String executable) {
      this.javaExecutable = Objects.requireNonNull(executable, "executable");
      return this;
    }

    /**
     * Adds an option to every node's JVM command line (after the defaults, so it wins).
     *
     * @param option e.g. {@code -Xmx384m}
     * @return this
     */
    public Builder jvmOption(String option) {
      jvmOptions.add(Objects.requireNonNull(option, "option"));
      return this;
    }

    /**
     * Builds a cluster that is not started yet; ports are chosen now.
     *
     * @return the cluster
     */
    public EmbeddedRocketMQCluster build() {
      return new EmbeddedRocketMQCluster(this);
    }

    private static int checkCount(String field, int count, int max) {
      if (count < 1 || count > max) {
        throw new IllegalArgumentException(field + " must be within 1.." + max + ": " + count);
      }
      return count;
    }
  }
}
