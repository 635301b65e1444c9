package io.reliablemq.test.internal;

import com.github.benmanes.caffeine.cache.LoadingCache;
import com.google.common.net.HostAndPort;
import io.grpc.protobuf.services.ChannelzService;
import io.grpc.protobuf.services.ProtoReflectionService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.broker.BrokerStartup;
import org.apache.rocketmq.broker.controller.ReplicasManager;
import org.apache.rocketmq.broker.topic.TopicConfigManager;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.ControllerConfig;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.attribute.TopicMessageType;
import org.apache.rocketmq.common.utils.StartAndShutdown;
import org.apache.rocketmq.controller.ControllerManager;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.proxy.ProxyStartup;
import org.apache.rocketmq.proxy.common.Address;
import org.apache.rocketmq.proxy.common.ProxyContext;
import org.apache.rocketmq.proxy.config.Configuration;
import org.apache.rocketmq.proxy.config.ConfigurationManager;
import org.apache.rocketmq.proxy.config.ProxyConfig;
import org.apache.rocketmq.proxy.grpc.GrpcServer;
import org.apache.rocketmq.proxy.grpc.v2.GrpcMessagingApplication;
import org.apache.rocketmq.proxy.metrics.ProxyMetricsManager;
import org.apache.rocketmq.proxy.processor.DefaultMessagingProcessor;
import org.apache.rocketmq.proxy.remoting.RemotingProtocolServer;
import org.apache.rocketmq.proxy.service.ServiceManager;
import org.apache.rocketmq.proxy.service.ServiceManagerFactory;
import org.apache.rocketmq.proxy.service.route.MessageQueueView;
import org.apache.rocketmq.proxy.service.route.ProxyTopicRouteData;
import org.apache.rocketmq.proxy.service.route.TopicRouteService;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.store.config.BrokerRole;
import org.apache.rocketmq.store.ha.autoswitch.AutoSwitchHAService;

/**
 * Main class of one child JVM of {@code EmbeddedRocketMQCluster}: a NameServer, a broker or a proxy
 * in CLUSTER mode, obeying {@link ControlProtocol} commands read from stdin. The admin work of the
 * cluster (topics, groups, route checks) is done in-process by these nodes, so no {@code mqadmin}
 * JVM is ever started. Never load this class in the parent JVM: it needs the broker's jars.
 *
 * <p>Arguments: {@code namesrv <dir> <port>}, {@code broker <dir>} (reads {@code conf/broker.conf})
 * or {@code proxy <dir>} (reads {@code conf/rmq-proxy.json}).
 */
public final class ClusterNodeLauncher {
  private final PrintStream control;
  private NamesrvController namesrv;
  private ControllerManager controller;
  private BrokerController broker;
  private DefaultMessagingProcessor processor;
  private ServiceManager proxyServices;
  private final List<StartAndShutdown> proxyParts = new ArrayList<>();

  private ClusterNodeLauncher(PrintStream control) {
    this.control = control;
  }

  /**
   * Entry point of the child JVM.
   *
   * @param args see the class comment
   * @throws Exception never in practice: failures are reported on the control channel
   */
  public static void main(String[] args) throws Exception {
    Path dir = Paths.get(args[1]);
    ChildNode node = ChildNode.open(dir);
    ClusterNodeLauncher launcher = new ClusterNodeLauncher(node.control);
    node.start(
        () -> {
          switch (args[0]) {
            case "namesrv" -> launcher.startNamesrv(dir, Integer.parseInt(args[2]));
            case "broker" -> launcher.startBroker(dir);
            case "proxy" -> launcher.startProxy(dir);
            default -> throw new IllegalArgumentException("unknown role " + args[0]);
          }
        });
    launcher.serve();
  }

  private void startNamesrv(Path dir, int port) throws Exception {
    namesrv = ChildNode.nameServer(dir, port);
    Runtime.getRuntime().addShutdownHook(new Thread(namesrv::shutdown, "namesrv-shutdown"));
    namesrv.start();
    Path controllerConf = dir.resolve("conf").resolve(ClusterNode.CONTROLLER_CONF);
    if (Files.exists(controllerConf)) {
      startController(dir, controllerConf);
    }
  }

  /**
   * Starts the controller embedded in this NameServer, as NamesrvStartup does with {@code
   * enableControllerInNamesrv=true}: a DLedger-replicated controller listening on its peer port.
   */
  private void startController(Path dir, Path conf) throws Exception {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(conf, StandardCharsets.UTF_8)) {
      props.load(r);
    }
    ControllerConfig config = new ControllerConfig();
    config.setRocketmqHome(dir.toString());
    config.setConfigStorePath(dir.resolve("controller/controller.properties").toString());
    MixAll.properties2Object(props, config);
    NettyServerConfig server = new NettyServerConfig();
    // DLedger replaces the port with the one of this node's entry in controllerDLegerPeers.
    server.setBindAddress("127.0.0.1");
    controller = new ControllerManager(config, server, new NettyClientConfig());
    if (!controller.initialize()) {
      throw new IllegalStateException("controller failed to initialize");
    }
    Runtime.getRuntime().addShutdownHook(new Thread(controller::shutdown, "controller-shutdown"));
    controller.start();
  }

  private void startBroker(Path dir) throws Exception {
    String conf = dir.resolve("conf/broker.conf").toString();
    // As BrokerStartup.createBrokerController, with a replica-safe topic table in controller mode.
    broker = BrokerStartup.buildBrokerController(new String[] {"-c", conf});
    if (broker.getBrokerConfig().isEnableControllerMode()) {
      broker.setTopicConfigManager(new ReplicaSafeTopicConfigManager(broker));
    }
    if (!broker.initialize()) {
      broker.shutdown();
      throw new IllegalStateException("broker failed to initialize");
    }
    // The broker's own shutdown hook (flush, unregister) for a graceful SHUTDOWN.
    Runtime.getRuntime().addShutdownHook(new Thread(BrokerStartup.buildShutdownHook(broker)));
    // A master registers with every NameServer, synchronously, inside start().
    broker.start();
  }

  private void startProxy(Path dir) throws Exception {
    // Mirrors ProxyStartup.main of 5.3.3 in CLUSTER mode, with the gRPC server on 127.0.0.1 and
    // the ServiceManager kept, so the route checks see the proxy's own route cache.
    System.setProperty(
        Configuration.CONFIG_PATH_PROPERTY, dir.resolve("conf/rmq-proxy.json").toString());
    ConfigurationManager.initEnv();
    ConfigurationManager.intConfig();
    ProxyConfig proxyConfig = ConfigurationManager.getProxyConfig();
    int grpcPort = proxyConfig.getGrpcServerPort();
    ProxyStartup.initThreadPoolMonitor();
    ThreadPoolExecutor executor = ProxyStartup.createServerExecutor();
    proxyServices = ServiceManagerFactory.createForClusterMode(null);
    processor = new ClusterProcessor(proxyServices);
    proxyParts.add(ProxyMetricsManager.initClusterMode(proxyConfig));
    proxyParts.add(processor);
    GrpcMessagingApplication application = GrpcMessagingApplication.create(processor);
    proxyParts.add(application);
    GrpcServer grpcServer =
        new LoopbackGrpcServerBuilder(executor, grpcPort, proxyConfig)
            .addService(application)
            .addService(ChannelzService.newInstance(100))
            .addService(ProtoReflectionService.newInstance())
            .configInterceptor()
            .shutdownTime(proxyConfig.getGrpcShutdownTimeSeconds(), TimeUnit.SECONDS)
            .build();
    proxyParts.add(grpcServer);
    proxyParts.add(new RemotingProtocolServer(processor));
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdownProxy, "proxy-shutdown"));
    for (StartAndShutdown part : proxyParts) {
      part.start();
    }
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", grpcPort), 1000);
        return;
      } catch (java.io.IOException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("proxy gRPC port " + grpcPort + " does not accept", e);
        }
        Thread.sleep(50);
      }
    }
  }

  private void shutdownProxy() {
    for (int i = proxyParts.size() - 1; i >= 0; i--) {
      try {
        proxyParts.get(i).preShutdown();
        proxyParts.get(i).shutdown();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }
  }

  private void serve() {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (true) {
      String line;
      try {
        line = in.readLine();
      } catch (java.io.IOException e) {
        line = null;
      }
      if (line == null) {
        // The parent is gone: never outlive it.
        System.out.println("stdin closed: parent gone, halting");
        Runtime.getRuntime().halt(2);
        return;
      }
      String reply;
      try {
        ControlProtocol.Command cmd = ControlProtocol.parse(line);
        if (ControlProtocol.SHUTDOWN.equals(cmd.name())) {
          synchronized (control) {
            control.println(ControlProtocol.OK);
          }
          System.exit(0);
          return;
        }
        reply = ControlProtocol.ok(execute(cmd));
      } catch (Exception e) {
        e.printStackTrace();
        reply = ControlProtocol.error(String.valueOf(e));
      }
      synchronized (control) {
        control.println(reply);
      }
    }
  }

  private String execute(ControlProtocol.Command cmd) throws Exception {
    switch (cmd.name()) {
      case ControlProtocol.CREATE_TOPIC:
        createTopic(cmd.arg(0), cmd.arg(1), Integer.parseInt(cmd.arg(2)));
        return "";
      case ControlProtocol.CREATE_GROUP:
        createGroup(cmd.arg(0), Boolean.parseBoolean(cmd.arg(1)));
        return "";
      case ControlProtocol.REGISTER:
        requireBroker().registerBrokerAll(true, false, true);
        return "";
      case ControlProtocol.MESSAGES:
        return Long.toString(messages(cmd.arg(0)));
      case ControlProtocol.ROUTE:
        return route(cmd.arg(0), cmd.args().size() > 1 && "fresh".equals(cmd.arg(1)));
      case ControlProtocol.ROLE:
        return role();
      case ControlProtocol.CONTROLLER:
        if (namesrv == null) {
          throw new IllegalStateException("not a NameServer");
        }
        if (controller == null) {
          return "none";
        }
        return controller.getController().isLeaderState() ? "leader" : "follower";
      case ControlProtocol.MASTER:
        return master(cmd.arg(0), cmd.arg(1));
      case ControlProtocol.ADDRS:
        return addrs(cmd.arg(0));
      default:
        throw new IllegalArgumentException("unknown command: " + cmd.name());
    }
  }

  private BrokerController requireBroker() {
    if (broker == null) {
      throw new IllegalStateException("not a broker");
    }
    return broker;
  }

  private void createTopic(String name, String type, int queues) {
    TopicConfig topicConfig = new TopicConfig(name, queues, queues);
    Map<String, String> attributes = new HashMap<>();
    attributes.put("+message.type", TopicMessageType.valueOf(type).getValue());
    topicConfig.setAttributes(attributes);
    requireBroker().getTopicConfigManager().updateTopicConfig(topicConfig);
    // Full and synchronous: the NameServer refuses an incremental registration until a full one
    // has landed, and the parent checks every NameServer's route right after this reply.
    broker.registerBrokerAll(true, false, true);
  }

  private void createGroup(String name, boolean fifo) {
    SubscriptionGroupConfig group = new SubscriptionGroupConfig();
    group.setGroupName(name);
    group.setConsumeMessageOrderly(fifo);
    requireBroker().getSubscriptionGroupManager().updateSubscriptionGroupConfig(group);
  }

  private long messages(String topic) throws Exception {
    TopicConfig config = requireBroker().getTopicConfigManager().selectTopicConfig(topic);
    if (config == null) {
      return 0;
    }
    long sum = 0;
    int queues = Math.max(config.getReadQueueNums(), config.getWriteQueueNums());
    for (int q = 0; q < queues; q++) {
      sum += broker.getMessageStore().getMaxOffsetInQueue(topic, q);
    }
    return sum;
  }

  private String role() {
    BrokerController b = requireBroker();
    ReplicasManager replicas = b.getReplicasManager();
    String role;
    long id;
    int epoch = 0;
    List<String> inSync = new ArrayList<>();
    if (replicas == null) {
      role = b.getMessageStoreConfig().getBrokerRole() == BrokerRole.SLAVE ? "SLAVE" : "MASTER";
      id = b.getBrokerConfig().getBrokerId();
    } else {
      Long controllerId = replicas.getBrokerControllerId();
      id = controllerId == null ? -1 : controllerId;
      epoch = replicas.getMasterEpoch();
      // ReplicasManager.State is package-private: compare its name.
      Object state = replicas.getState();
      if (!"RUNNING".equals(String.valueOf(state))) {
        role = "NONE";
      } else if (replicas.isMasterState()) {
        role = "MASTER";
        // The set the master waits for (allAckInSyncStateSet): its own view, not the controller's.
        AutoSwitchHAService ha = (AutoSwitchHAService) b.getMessageStore().getHaService();
        for (Long member : new TreeSet<>(ha.getSyncStateSet())) {
          inSync.add(Long.toString(member));
        }
      } else {
        role = "SLAVE";
      }
    }
    return "role=" + role + ",id=" + id + ",epoch=" + epoch + ",inSync=" + String.join("|", inSync);
  }

  private String master(String topic, String group) throws Exception {
    TopicRouteData route;
    if (namesrv != null) {
      route = namesrv.getRouteInfoManager().pickupTopicRouteData(topic);
    } else if (processor != null) {
      // The cached view a send uses (a cache access, so a due refresh is triggered as by a send).
      MessageQueueView view =
          (MessageQueueView) topicCache(proxyServices.getTopicRouteService()).get(topic);
      route = view == null ? null : view.getTopicRouteData();
    } else {
      throw new IllegalStateException("neither a NameServer nor a proxy");
    }
    if (route == null || route.getBrokerDatas() == null) {
      return "";
    }
    for (BrokerData data : route.getBrokerDatas()) {
      if (group.equals(data.getBrokerName()) && data.getBrokerAddrs() != null) {
        String addr = data.getBrokerAddrs().get(MixAll.MASTER_ID);
        return addr == null ? "" : addr;
      }
    }
    return "";
  }

  private String addrs(String group) {
    if (namesrv == null) {
      throw new IllegalStateException("not a NameServer");
    }
    BrokerData data =
        namesrv.getRouteInfoManager().getAllClusterInfo().getBrokerAddrTable().get(group);
    if (data == null || data.getBrokerAddrs() == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    new TreeMap<>(data.getBrokerAddrs()).forEach((id, addr) -> parts.add(id + "=" + addr));
    return String.join(",", parts);
  }

  private String route(String topic, boolean fresh) throws Exception {
    List<QueueData> queues;
    if (namesrv != null) {
      TopicRouteData route = namesrv.getRouteInfoManager().pickupTopicRouteData(topic);
      queues = route == null ? List.of() : route.getQueueDatas();
    } else if (processor != null) {
      TopicRouteService routes = proxyServices.getTopicRouteService();
      if (fresh) {
        topicCache(routes).invalidate(topic);
      }
      try {
        ProxyTopicRouteData route =
            processor.getTopicRouteDataForProxy(
                ProxyContext.create(),
                List.of(new Address(Address.AddressScheme.IPv4, hostAndPort())),
                topic);
        queues = route.getQueueDatas();
      } catch (MQClientException e) {
        if (e.getResponseCode() != ResponseCode.TOPIC_NOT_EXIST) {
          throw e;
        }
        queues = List.of();
      }
    } else {
      throw new IllegalStateException("neither a NameServer nor a proxy");
    }
    Map<String, Integer> writeQueues = new TreeMap<>();
    for (QueueData q : queues) {
      writeQueues.put(q.getBrokerName(), q.getWriteQueueNums());
    }
    List<String> parts = new ArrayList<>();
    writeQueues.forEach((b, n) -> parts.add(b + ":" + n));
    return String.join(",", parts);
  }

  private static HostAndPort hostAndPort() {
    return HostAndPort.fromParts(
        "127.0.0.1", ConfigurationManager.getProxyConfig().getGrpcServerPort());
  }

  @SuppressWarnings("unchecked")
  private static LoadingCache<String, ?> topicCache(TopicRouteService routes)
      throws ReflectiveOperationException {
    Field f = TopicRouteService.class.getDeclaredField("topicCache");
    f.setAccessible(true);
    return (LoadingCache<String, ?>) f.get(routes);
  }

  /**
   * Works around RocketMQ 5.3.3's {@code SlaveSynchronize.syncTopicConfig}: every 10 s a replica
   * deletes its whole topic table and re-adds the master's topics through {@code
   * updateSingleTopicConfigWithoutPersist}, which takes attributes as operations ({@code
   * +message.type}); the master's table holds them as stored ({@code message.type}), so the first
   * typed topic throws "only add attribute is supported while creating topic" and the replica is
   * left without topics. A replica elected master would then register none and the topics would
   * vanish from the routes. Here stored attributes are turned back into additions, which is what
   * the synchronisation means.
   */
  static final class ReplicaSafeTopicConfigManager extends TopicConfigManager {
    ReplicaSafeTopicConfigManager(BrokerController broker) {
      super(broker);
    }

    @Override
    public void updateSingleTopicConfigWithoutPersist(TopicConfig topicConfig) {
      Map<String, String> attributes = topicConfig.getAttributes();
      if (attributes != null
          && !attributes.isEmpty()
          && attributes.keySet().stream().noneMatch(k -> k.startsWith("+") || k.startsWith("-"))) {
        Map<String, String> additions = new HashMap<>();
        attributes.forEach((k, v) -> additions.put("+" + k, v));
        TopicConfig copy = new TopicConfig(topicConfig);
        copy.setAttributes(additions);
        topicConfig = copy;
      }
      super.updateSingleTopicConfigWithoutPersist(topicConfig);
    }
  }

  /** The cluster-mode processor, built on a ServiceManager this launcher keeps a handle on. */
  private static final class ClusterProcessor extends DefaultMessagingProcessor {
    ClusterProcessor(ServiceManager services) {
      super(services);
    }
  }
}
