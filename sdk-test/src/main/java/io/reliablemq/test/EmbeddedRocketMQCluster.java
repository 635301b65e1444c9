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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A real RocketMQ 5 cluster for tests: NameServers, broker groups (a master each) and proxies in
 * CLUSTER mode, every node in a child JVM of its own started from the same cached broker jars, so a
 * test can kill ({@code SIGKILL}), pause ({@code SIGSTOP}), resume and restart each node by name.
 *
 * <p>Nodes are named {@code namesrv-0, namesrv-1, ...}, {@code broker-a, broker-b, ...} (the first
 * node of broker group {@code broker-a} is the node {@code broker-a}; the broker name in routes is
 * the same) and {@code proxy-0, proxy-1, ...}. With {@link Builder#replicasPerGroup} the groups
 * also have replicas {@code broker-a-1, broker-a-2, ...} and run in controller mode (a controller
 * in every NameServer elects each group's master, and a replica when the master dies); {@link
 * #master} tells which node is master now, {@link #awaitFailover} waits until a new one is elected
 * and routed to. Every port is a random free port on 127.0.0.1, chosen once: a restarted node keeps
 * its ports and its store. No child outlives this JVM (a shutdown hook kills them, and each halts
 * when its stdin reaches EOF). Each node logs to {@code nodeDir(name)/logs}.
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
 *   // ClientSettings.custom().endpoints(cluster.endpoints()).sslEnabled(false).build()
 *   cluster.kill("broker-b");                             // SIGKILL one group's master
 *   cluster.restart("broker-b");                          // same ports, same store
 * }
 * try (EmbeddedRocketMQCluster cluster =
 *     EmbeddedRocketMQCluster.builder().brokerGroups(1).replicasPerGroup(1).build().start()) {
 *   cluster.kill("broker-a");                             // the master; broker-a-1 replicates it
 *   cluster.awaitFailover("broker-a", "broker-a", Duration.ofSeconds(60)); // "broker-a-1"
 *   cluster.start("broker-a");                            // rejoins as a replica
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

  /** Most replicas per broker group, besides its first node. */
  public static final int MAX_REPLICAS_PER_GROUP = 4;

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  // A paused node never answers: role queries give up quickly and count it as no master.
  private static final Duration ROLE_TIMEOUT = Duration.ofSeconds(3);
  private static final String CONTROLLER_GROUP = "reliablemq-controller";
  private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 100;

  private final Path workDir;
  private final boolean ownsWorkDir;
  private final boolean syncFlush;
  private final int replicasPerGroup;
  private final boolean syncReplication;
  private final int minInSyncReplicas;
  private final Map<String, String> controllerProperties;
  private final Map<String, List<ClusterNode>> groups = new LinkedHashMap<>();
  private final Set<String> topics = ConcurrentHashMap.newKeySet();
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
    this.replicasPerGroup = b.replicasPerGroup;
    this.syncReplication = b.syncReplication;
    this.minInSyncReplicas = b.minInSyncReplicas;
    this.controllerProperties = Map.copyOf(b.controllerProperties);
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
      String group = "broker-" + (char) ('a' + i);
      List<ClusterNode> members = new ArrayList<>();
      for (int r = 0; r <= replicasPerGroup; r++) {
        String name = r == 0 ? group : group + "-" + r;
        ClusterNode node = ClusterNode.broker(name, group, workDir.resolve(name), ports);
        add(node);
        members.add(node);
      }
      groups.put(group, List.copyOf(members));
    }
    for (int i = 0; i < b.proxies; i++) {
      add(ClusterNode.proxy("proxy-" + i, workDir.resolve("proxy-" + i), ports));
    }
    this.namesrvAddress =
        byRole(ClusterNode.Role.NAMESRV).stream()
            .map(ClusterNode::address)
            .collect(Collectors.joining(";"));
  }

  private boolean controllerMode() {
    return replicasPerGroup > 0;
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
   * then start side by side. With replicas, the brokers wait for a controller leader, each group's
   * first node starts first and becomes its master, and the replicas start next: this returns once
   * every replica is in its master's in-sync set (see {@link #awaitInSync}).
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
      if (controllerMode()) {
        awaitControllerLeader(startTimeout);
      }
      // A group's first node starts alone, so the controller makes it the first master; its
      // replicas join once it serves. A proxy's start creates a topic on the cluster's brokers and
      // fails if none is registered yet: a controller-mode broker registers only once elected,
      // so there the proxies start with the replicas, after every group has its master.
      List<ClusterNode> first = new ArrayList<>();
      List<ClusterNode> then = new ArrayList<>();
      for (List<ClusterNode> members : groups.values()) {
        first.add(members.get(0));
        then.addAll(members.subList(1, members.size()));
      }
      (controllerMode() ? then : first).addAll(byRole(ClusterNode.Role.PROXY));
      startAll(first);
      if (!then.isEmpty()) {
        startAll(then);
      }
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
    node.writeConfig(
        namesrvAddress, syncFlush, modeProperties(node), brokerProperties, proxyProperties);
    node.start(javaExecutable, jvmOptions, startTimeout);
    if (node.role() == ClusterNode.Role.BROKER) {
      long deadline = System.nanoTime() + startTimeout.toNanos();
      String role = controllerMode() ? awaitRole(node, deadline) : "MASTER";
      awaitRegistered(node, "MASTER".equals(role), startTimeout);
      if (!"MASTER".equals(role)) {
        awaitInSync(node.group(), remaining(deadline));
      }
    }
  }

  /**
   * The properties of a node's part in controller mode: a NameServer's embedded controller, a
   * broker's controller-mode settings; empty without replicas.
   */
  private Map<String, String> modeProperties(ClusterNode node) {
    Map<String, String> p = new LinkedHashMap<>();
    if (!controllerMode()) {
      return p;
    }
    List<ClusterNode> nameServers = byRole(ClusterNode.Role.NAMESRV);
    if (node.role() == ClusterNode.Role.NAMESRV) {
      List<String> peers = new ArrayList<>();
      for (int i = 0; i < nameServers.size(); i++) {
        peers.add("n" + i + "-" + nameServers.get(i).controllerAddress());
      }
      p.put("controllerDLegerGroup", CONTROLLER_GROUP);
      p.put("controllerDLegerPeers", String.join(";", peers));
      p.put("controllerDLegerSelfId", "n" + nameServers.indexOf(node));
      p.put("controllerStorePath", node.dir().resolve("controller-store").toString());
      // The controller's log holds a few small events; its default 1 GB files are not needed.
      p.put("mappedFileSize", Integer.toString(16 * 1024 * 1024));
      p.putAll(controllerProperties);
    } else if (node.role() == ClusterNode.Role.BROKER) {
      p.put("enableControllerMode", "true");
      p.put(
          "controllerAddr",
          nameServers.stream()
              .map(ClusterNode::controllerAddress)
              .collect(Collectors.joining(";")));
      p.put("brokerId", "-1");
      // Every node starts as a replica; the controller makes one the master (SYNC_MASTER).
      p.put("brokerRole", "SLAVE");
      // Acknowledged only once on every replica of the in-sync set, which the controller elects
      // the next master from: a failover loses no acknowledged message.
      p.put("allAckInSyncStateSet", Boolean.toString(syncReplication));
      p.put("inSyncReplicas", "1");
      p.put("minInSyncReplicas", Integer.toString(minInSyncReplicas));
    }
    return p;
  }

  private void awaitControllerLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (ClusterNode ns : running(ClusterNode.Role.NAMESRV)) {
        if ("leader".equals(ns.process().command(ControlProtocol.CONTROLLER, COMMAND_TIMEOUT))) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no controller became leader within " + timeout);
      }
      sleep();
    }
  }

  /** Waits until a controller-mode broker has a role (master or replica) and returns it. */
  private String awaitRole(ClusterNode broker, long deadline) {
    while (true) {
      String role = role(broker).get("role");
      if (!"NONE".equals(role)) {
        return role;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            broker.name() + " has no role (master or replica) after " + startTimeout);
      }
      sleep();
    }
  }

  private static Map<String, String> role(ClusterNode broker) {
    return ControlProtocol.fields(broker.process().command(ControlProtocol.ROLE, ROLE_TIMEOUT));
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /**
   * Waits until every running NameServer lists the broker in its group: as the master (id 0), or
   * under any id for a replica.
   */
  private void awaitRegistered(ClusterNode broker, boolean asMaster, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextRegister = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (true) {
      List<String> missing = new ArrayList<>();
      for (ClusterNode ns : running(ClusterNode.Role.NAMESRV)) {
        Map<String, String> addrs =
            ControlProtocol.fields(
                ns.process()
                    .command(ControlProtocol.ADDRS + " " + broker.group(), COMMAND_TIMEOUT));
        boolean listed =
            asMaster
                ? broker.address().equals(addrs.get("0"))
                : addrs.containsValue(broker.address());
        if (!listed) {
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
   * to the SDK as is, in plaintext ({@code
   * ClientSettings.custom().endpoints(...).sslEnabled(false)}, in Spring {@code
   * reliablemq.ssl-enabled=false}; a raw {@code rocketmq-client-java}: {@code enableSsl(false)});
   * the client fails over between them.
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
   * The broker groups' names ({@code broker-a}, ...): their broker names in routes, which are also
   * the names of their first nodes.
   *
   * @return the names
   */
  public List<String> brokerGroups() {
    return List.copyOf(groups.keySet());
  }

  /**
   * The nodes of a broker group: its first node (named as the group, {@code broker-a}), then its
   * replicas ({@code broker-a-1}, {@code broker-a-2}, ...; none unless {@link
   * Builder#replicasPerGroup}).
   *
   * @param group the group, e.g. {@code broker-a}
   * @return the node names
   * @throws IllegalArgumentException if there is no such group
   */
  public List<String> groupNodes(String group) {
    return members(group).stream().map(ClusterNode::name).toList();
  }

  /**
   * Which node is the master of a broker group now, as the nodes themselves say (a paused node does
   * not answer and does not count). Without replicas the group's only node is its master while it
   * runs. In controller mode a node is master once the controller elected it; if two claim it (an
   * old master paused through a failover), the one of the higher master epoch wins.
   *
   * @param group the group, e.g. {@code broker-a}
   * @return the master's node name, or empty if no running node of the group is master
   * @throws IllegalArgumentException if there is no such group
   */
  public Optional<String> master(String group) {
    ClusterNode best = null;
    int bestEpoch = -1;
    for (ClusterNode node : members(group)) {
      if (!node.process().isAlive()) {
        continue;
      }
      Map<String, String> role;
      try {
        role = role(node);
      } catch (IllegalStateException e) {
        continue;
      }
      int epoch = Integer.parseInt(role.getOrDefault("epoch", "0"));
      if ("MASTER".equals(role.get("role")) && epoch > bestEpoch) {
        best = node;
        bestEpoch = epoch;
      }
    }
    return Optional.ofNullable(best).map(ClusterNode::name);
  }

  /**
   * Waits until a broker group has a master that the whole cluster routes to: a node of the group
   * is master (see {@link #master}), and every running NameServer and every running proxy routes
   * the group's master, for the group's own topic and every topic created with {@link
   * #createTopic}, to that node. A proxy is asked about its cached route as a send would use it (a
   * due refresh is triggered as by a send, the cache is not dropped), so once this returns sends
   * through every proxy reach the new master.
   *
   * @param group the group, e.g. {@code broker-a}
   * @param timeout the bound
   * @return the master's node name
   * @throws IllegalArgumentException if there is no such group
   * @throws IllegalStateException if that does not happen within the timeout (the message says what
   *     was missing)
   */
  public String awaitMaster(String group, Duration timeout) {
    return awaitMaster(group, null, timeout);
  }

  /**
   * Waits for a failover: like {@link #awaitMaster(String, Duration)}, for a master other than a
   * given node (the one a test killed or paused). Only a controller-mode group ({@link
   * Builder#replicasPerGroup} &gt; 0) ever elects another master.
   *
   * @param group the group, e.g. {@code broker-a}
   * @param formerMaster the node that must no longer be the master
   * @param timeout the bound
   * @return the new master's node name
   * @throws IllegalArgumentException if there is no such group or node in it
   * @throws IllegalStateException if no other node is master, routed to by every NameServer and
   *     proxy, within the timeout
   */
  public String awaitFailover(String group, String formerMaster, Duration timeout) {
    if (!groupNodes(group).contains(Objects.requireNonNull(formerMaster, "formerMaster"))) {
      throw new IllegalArgumentException(formerMaster + " is not a node of " + group);
    }
    return awaitMaster(group, formerMaster, timeout);
  }

  private String awaitMaster(String group, String notNode, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    members(group);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<String> master = master(group);
      String missing;
      if (master.isEmpty()) {
        missing = "no running node of " + group + " is master";
      } else if (master.get().equals(notNode)) {
        missing = notNode + " is still the master of " + group;
      } else {
        missing = misrouted(group, node(master.get()).address());
        if (missing == null) {
          return master.get();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(missing + " after " + timeout);
      }
      sleep();
    }
  }

  /** What routes a group's master elsewhere than to the address, or null if nothing does. */
  private String misrouted(String group, String address) {
    List<String> routed = new ArrayList<>();
    routed.add(group);
    routed.addAll(new TreeSet<>(topics));
    List<ClusterNode> routers = new ArrayList<>(running(ClusterNode.Role.NAMESRV));
    routers.addAll(running(ClusterNode.Role.PROXY));
    for (ClusterNode router : routers) {
      for (String topic : routed) {
        String master =
            router
                .process()
                .command(ControlProtocol.MASTER + " " + topic + " " + group, COMMAND_TIMEOUT);
        if (!address.equals(master)) {
          return router.name()
              + " routes the master of "
              + group
              + " for "
              + topic
              + " to ["
              + master
              + "], not "
              + address;
        }
      }
    }
    return null;
  }

  /**
   * Waits until the master of a broker group has every other running node of the group in its
   * in-sync set: from then on the master acknowledges a message only once they all have it (with
   * the default {@link Builder#syncReplication}), and the controller may elect any of them if the
   * master dies. A node joins the set once it has caught up; a restarted former master rejoins as a
   * replica this way. Returns at once without replicas.
   *
   * @param group the group, e.g. {@code broker-a}
   * @param timeout the bound
   * @throws IllegalArgumentException if there is no such group
   * @throws IllegalStateException if the group has no master or a replica is not in sync within the
   *     timeout
   */
  public void awaitInSync(String group, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    List<ClusterNode> members = members(group);
    if (members.size() == 1) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String missing = outOfSync(group, members);
      if (missing == null) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(missing + " after " + timeout);
      }
      sleep();
    }
  }

  private String outOfSync(String group, List<ClusterNode> members) {
    Optional<String> master = master(group);
    if (master.isEmpty()) {
      return "no running node of " + group + " is master";
    }
    Map<String, String> masterRole;
    try {
      masterRole = role(node(master.get()));
    } catch (IllegalStateException e) {
      return master.get() + " does not answer";
    }
    List<String> inSync = List.of(masterRole.getOrDefault("inSync", "").split("\\|"));
    for (ClusterNode node : members) {
      if (node.name().equals(master.get()) || !node.process().isAlive()) {
        continue;
      }
      Map<String, String> role;
      try {
        role = role(node);
      } catch (IllegalStateException e) {
        return node.name() + " does not answer";
      }
      if (!"SLAVE".equals(role.get("role")) || !inSync.contains(role.get("id"))) {
        return node.name()
            + " (role "
            + role.get("role")
            + ", id "
            + role.get("id")
            + ") is not in the in-sync set "
            + inSync
            + " of master "
            + master.get();
      }
    }
    return null;
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
   * @throws IllegalStateException if a broker group has no running master or every NameServer is
   *     down, or the route is not served within 30 s
   */
  public void createTopic(String name, TopicType type, int queuesPerGroup) {
    Objects.requireNonNull(type, "type");
    String line = ControlProtocol.createTopic(name, type.name(), queuesPerGroup);
    // Every running node of a group, replicas too: a replica elected master must know the topic
    // even before it synchronised the master's topic table (every 10 s).
    List<ClusterNode> brokers = requireEveryGroupServing();
    for (ClusterNode broker : brokers) {
      broker.process().command(line, COMMAND_TIMEOUT);
    }
    topics.add(name);
    long deadline = System.nanoTime() + ROUTE_TIMEOUT.toNanos();
    long nextRegister = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    List<ClusterNode> nameServers = running(ClusterNode.Role.NAMESRV);
    if (nameServers.isEmpty()) {
      throw new IllegalStateException("no NameServer is running");
    }
    String expected = expectedRoute(groups.keySet(), queuesPerGroup);
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
   * @throws IllegalStateException if a broker group has no running master
   */
  public void createConsumerGroup(String name, boolean fifo) {
    String line = ControlProtocol.createGroup(name, fifo);
    for (ClusterNode broker : requireEveryGroupServing()) {
      broker.process().command(line, COMMAND_TIMEOUT);
    }
  }

  /**
   * Waits until every running NameServer and every running proxy routes the topic to every broker
   * group that has a running master (see {@link #master}), without nudging the brokers or touching
   * the proxies' route caches: after a broker or NameServer restart this takes as long as it takes
   * in production (up to the brokers' next registration plus the proxies' route refresh).
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
        for (String group : groups.keySet()) {
          if (!routed.contains(group) && master(group).isPresent()) {
            missing.add(group);
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
   * @param broker the broker's node name, e.g. {@code broker-a} or a replica {@code broker-a-1}
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
   * registered with every running NameServer; in controller mode it has its role first, and a
   * replica, such as a former master, is in the master's in-sync set). A restarted NameServer is
   * empty until the brokers register again on their own period (and its embedded controller
   * recovers its state from its store).
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

  /** Every running broker node, after checking that every group has a running master. */
  private List<ClusterNode> requireEveryGroupServing() {
    List<ClusterNode> brokers = new ArrayList<>();
    for (Map.Entry<String, List<ClusterNode>> group : groups.entrySet()) {
      if (controllerMode()) {
        if (master(group.getKey()).isEmpty()) {
          throw new IllegalStateException(
              "no node of " + group.getKey() + " is running as its master");
        }
      } else {
        requireRunning(group.getValue().get(0));
      }
      group.getValue().stream().filter(n -> n.process().isAlive()).forEach(brokers::add);
    }
    return brokers;
  }

  private List<ClusterNode> members(String group) {
    List<ClusterNode> members = groups.get(Objects.requireNonNull(group, "group"));
    if (members == null) {
      throw new IllegalArgumentException(
          "no broker group named " + group + "; groups: " + groups.keySet());
    }
    return members;
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

  private static String expectedRoute(Set<String> groups, int queues) {
    return groups.stream().map(g -> g + ":" + queues).sorted().collect(Collectors.joining(","));
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
    private int replicasPerGroup;
    private boolean syncReplication = true;
    private int minInSyncReplicas = 1;
    private final Map<String, String> controllerProperties = new LinkedHashMap<>();
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
     * How many replicas each broker group has besides its first node, 0..{@value
     * EmbeddedRocketMQCluster#MAX_REPLICAS_PER_GROUP}. Default 0: one master per group, no
     * controller.
     *
     * <p>With replicas the cluster runs in controller mode: a controller is embedded in every
     * NameServer ({@code enableControllerInNamesrv}, replicated between them by DLedger), and every
     * node of a group runs with {@code enableControllerMode=true}; the controller elects a group's
     * master and, when it dies, elects a replica of the in-sync set in its place (a SIGKILLed
     * master is noticed as soon as its connection closes, a hung one after the brokers' {@code
     * controllerHeartBeatTimeoutMills}, 10 s, plus up to the controller's {@code
     * scanNotActiveBrokerInterval}, 5 s). Replicas are nodes {@code broker-a-1}, {@code
     * broker-a-2}, ... of group {@code broker-a}, whose first node {@code broker-a} is its first
     * master. {@link EmbeddedRocketMQCluster#start()} returns once every replica is in sync with
     * its master. Which node is master: {@link EmbeddedRocketMQCluster#master}; waiting for a
     * failover to be over: {@link EmbeddedRocketMQCluster#awaitFailover}. Each node is a JVM of its
     * own (256 MB heap).
     *
     * @param count the count
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder replicasPerGroup(int count) {
      if (count < 0 || count > MAX_REPLICAS_PER_GROUP) {
        throw new IllegalArgumentException(
            "replicasPerGroup must be within 0.." + MAX_REPLICAS_PER_GROUP + ": " + count);
      }
      this.replicasPerGroup = count;
      return this;
    }

    /**
     * With replicas, whether a master acknowledges a message only once every replica of its in-sync
     * set has it ({@code allAckInSyncStateSet=true}, the default), or at once, replicating in the
     * background ({@code false}: a failover may then lose the last acknowledged messages). The
     * controller elects only members of the in-sync set (no unclean election), so with the default
     * a failover loses no acknowledged message. A replica is in the set once it caught up, and
     * leaves it after lagging for {@code haMaxTimeSlaveNotCatchup} (15 s); a replica-only setting,
     * ignored without replicas.
     *
     * @param sync true to wait for the in-sync replicas
     * @return this
     */
    public Builder syncReplication(boolean sync) {
      this.syncReplication = sync;
      return this;
    }

    /**
     * With replicas, how many nodes of a group (the master included) must be in sync for the master
     * to accept a write ({@code minInSyncReplicas}); fewer and sends fail with {@code
     * IN_SYNC_REPLICAS_NOT_ENOUGH}. Default 1: a master whose replicas are all down still takes
     * writes (each acknowledged once on every in-sync node, then the master alone). At most {@code
     * replicasPerGroup + 1}, checked by {@link #build()}.
     *
     * @param count the count, at least 1
     * @return this
     * @throws IllegalArgumentException if below 1
     */
    public Builder minInSyncReplicas(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("minInSyncReplicas must be at least 1: " + count);
      }
      this.minInSyncReplicas = count;
      return this;
    }

    /**
     * Sets a property of the controllers embedded in the NameServers ({@code
     * org.apache.rocketmq.common.ControllerConfig} field name), applied over the defaults, e.g.
     * {@code scanNotActiveBrokerInterval}; used only with replicas.
     *
     * @param key field name
     * @param value value
     * @return this
     */
    public Builder controllerProperty(String key, String value) {
      controllerProperties.put(
          Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
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
     * @throws IllegalArgumentException if {@code minInSyncReplicas} exceeds the nodes of a group
     */
    public EmbeddedRocketMQCluster build() {
      if (minInSyncReplicas > replicasPerGroup + 1) {
        throw new IllegalArgumentException(
            "minInSyncReplicas must be at most replicasPerGroup + 1 = "
                + (replicasPerGroup + 1)
                + ": "
                + minInSyncReplicas);
      }
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
