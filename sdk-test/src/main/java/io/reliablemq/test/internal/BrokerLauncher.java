package io.reliablemq.test.internal;

import io.grpc.protobuf.services.ChannelzService;
import io.grpc.protobuf.services.ProtoReflectionService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.broker.BrokerStartup;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.attribute.TopicMessageType;
import org.apache.rocketmq.common.utils.StartAndShutdown;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.proxy.ProxyStartup;
import org.apache.rocketmq.proxy.config.Configuration;
import org.apache.rocketmq.proxy.config.ConfigurationManager;
import org.apache.rocketmq.proxy.config.ProxyConfig;
import org.apache.rocketmq.proxy.grpc.GrpcServer;
import org.apache.rocketmq.proxy.grpc.v2.GrpcMessagingApplication;
import org.apache.rocketmq.proxy.metrics.ProxyMetricsManager;
import org.apache.rocketmq.proxy.processor.DefaultMessagingProcessor;
import org.apache.rocketmq.proxy.processor.MessagingProcessor;
import org.apache.rocketmq.proxy.remoting.RemotingProtocolServer;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;

/**
 * Main class of the child JVM started by {@code EmbeddedRocketMQ}: runs a NameServer and a proxy in
 * LOCAL mode (broker embedded) in one process, and obeys {@link ControlProtocol} commands read from
 * stdin. Never load this class in the parent JVM: it needs the broker's jars.
 *
 * <p>Arguments: {@code <workDir> <namesrvPort>}; the work dir holds {@code conf/broker.conf} and
 * {@code conf/rmq-proxy.json} written by the parent.
 */
public final class BrokerLauncher {
  private static final long ROUTE_WAIT_MILLIS = 20_000;

  private final Path workDir;
  private final int namesrvPort;
  private final PrintStream control;
  private final List<StartAndShutdown> proxyParts = new ArrayList<>();
  private NamesrvController namesrv;
  private BrokerController broker;
  private int grpcPort;

  private BrokerLauncher(Path workDir, int namesrvPort, PrintStream control) {
    this.workDir = workDir;
    this.namesrvPort = namesrvPort;
    this.control = control;
  }

  /**
   * Entry point of the child JVM.
   *
   * @param args {@code <workDir> <namesrvPort>}
   * @throws Exception never in practice: failures are reported on the control channel
   */
  public static void main(String[] args) throws Exception {
    Path workDir = Paths.get(args[0]);
    ChildNode node = ChildNode.open(workDir);
    BrokerLauncher launcher = new BrokerLauncher(workDir, Integer.parseInt(args[1]), node.control);
    node.start(
        () -> {
          launcher.startAll();
          launcher.waitReady();
        });
    launcher.serve();
  }

  private void startAll() throws Exception {
    Path conf = workDir.resolve("conf");
    // NameServer.
    namesrv = ChildNode.nameServer(workDir, namesrvPort);
    namesrv.start();

    // Proxy in LOCAL mode with the broker embedded (mirrors ProxyStartup.main of 5.3.3).
    System.setProperty(
        Configuration.CONFIG_PATH_PROPERTY, conf.resolve("rmq-proxy.json").toString());
    ConfigurationManager.initEnv();
    ConfigurationManager.intConfig();
    ProxyConfig proxyConfig = ConfigurationManager.getProxyConfig();
    proxyConfig.setBrokerConfigPath(conf.resolve("broker.conf").toString());
    proxyConfig.setNamesrvAddr("127.0.0.1:" + namesrvPort);
    proxyConfig.setProxyMode("local");
    grpcPort = proxyConfig.getGrpcServerPort();
    ProxyStartup.initThreadPoolMonitor();
    ThreadPoolExecutor executor = ProxyStartup.createServerExecutor();

    broker =
        BrokerStartup.createBrokerController(
            new String[] {
              "-c", proxyConfig.getBrokerConfigPath(), "-n", proxyConfig.getNamesrvAddr()
            });
    if (broker == null) {
      throw new IllegalStateException("broker controller could not be created");
    }
    ProxyMetricsManager.initLocalMode(broker.getBrokerMetricsManager(), proxyConfig);
    BrokerController b = broker;
    proxyParts.add(
        new StartAndShutdown() {
          @Override
          public void start() throws Exception {
            b.start();
          }

          @Override
          public void shutdown() {
            // The broker's own shutdown hook (registered by BrokerStartup) shuts it down.
          }
        });
    MessagingProcessor processor = DefaultMessagingProcessor.createForLocalMode(broker);
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

    Runtime.getRuntime()
        .addShutdownHook(new Thread(this::shutdownQuietly, "embedded-rocketmq-shutdown"));
    for (StartAndShutdown part : proxyParts) {
      part.start();
    }
    if (broker.getAuthConfig() != null && broker.getAuthConfig().isAuthenticationEnabled()) {
      AclLoader.load(broker, workDir);
    }
  }

  private void shutdownQuietly() {
    for (int i = proxyParts.size() - 1; i >= 0; i--) {
      try {
        proxyParts.get(i).preShutdown();
        proxyParts.get(i).shutdown();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }
    try {
      namesrv.shutdown();
    } catch (RuntimeException e) {
      e.printStackTrace();
    }
  }

  private void waitReady() throws Exception {
    long deadline = System.currentTimeMillis() + ROUTE_WAIT_MILLIS * 3;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", grpcPort), 1000);
        break;
      } catch (java.io.IOException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("proxy gRPC port " + grpcPort + " does not accept", e);
        }
        Thread.sleep(50);
      }
    }
    createTopic("reliablemq-embedded-ready", "NORMAL", 1);
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
        switch (cmd.name()) {
          case ControlProtocol.CREATE_TOPIC:
            createTopic(cmd.arg(0), cmd.arg(1), Integer.parseInt(cmd.arg(2)));
            reply = ControlProtocol.OK;
            break;
          case ControlProtocol.CREATE_GROUP:
            createGroup(cmd.arg(0), Boolean.parseBoolean(cmd.arg(1)));
            reply = ControlProtocol.OK;
            break;
          case ControlProtocol.LOAD_USERS:
            AclLoader.load(broker, workDir);
            reply = ControlProtocol.OK;
            break;
          case ControlProtocol.DELETE_USER:
            AclLoader.delete(broker, cmd.arg(0));
            reply = ControlProtocol.OK;
            break;
          case ControlProtocol.SHUTDOWN:
            synchronized (control) {
              control.println(ControlProtocol.OK);
            }
            System.exit(0);
            return;
          default:
            reply = ControlProtocol.error("unknown command: " + cmd.name());
        }
      } catch (Exception e) {
        e.printStackTrace();
        reply = ControlProtocol.error(String.valueOf(e));
      }
      synchronized (control) {
        control.println(reply);
      }
    }
  }

  private void createTopic(String name, String type, int queues) throws Exception {
    TopicConfig topicConfig = new TopicConfig(name, queues, queues);
    Map<String, String> attributes = new HashMap<>();
    attributes.put("+message.type", TopicMessageType.valueOf(type).getValue());
    topicConfig.setAttributes(attributes);
    broker.getTopicConfigManager().updateTopicConfig(topicConfig);
    // A full registration: the NameServer refuses an incremental one until the broker's first
    // full registration has landed, and the broker's own first attempt can lose that race.
    broker.registerBrokerAll(true, false, true);
    long deadline = System.currentTimeMillis() + ROUTE_WAIT_MILLIS;
    long nextRegister = System.currentTimeMillis() + 1000;
    while (true) {
      if (System.currentTimeMillis() > nextRegister) {
        broker.registerBrokerAll(true, false, true);
        nextRegister = System.currentTimeMillis() + 1000;
      }
      TopicRouteData route = namesrv.getRouteInfoManager().pickupTopicRouteData(name);
      if (route != null
          && !route.getQueueDatas().isEmpty()
          && !route.getBrokerDatas().isEmpty()
          && route.getQueueDatas().get(0).getWriteQueueNums() == queues) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("NameServer does not serve the route of " + name);
      }
      Thread.sleep(20);
    }
  }

  private void createGroup(String name, boolean fifo) {
    SubscriptionGroupConfig group = new SubscriptionGroupConfig();
    group.setGroupName(name);
    group.setConsumeMessageOrderly(fifo);
    broker.getSubscriptionGroupManager().updateSubscriptionGroupConfig(group);
  }
}
