package io.reliablemq.test.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;

/**
 * What every child JVM of the test kit does the same way, whichever nodes it runs ({@link
 * BrokerLauncher}'s single stack, {@link ClusterNodeLauncher}'s cluster nodes): keep stdout as the
 * {@link ControlProtocol} channel and send RocketMQ's own console output to a log file, report a
 * start as READY or FAILED (halting on failure), and start a NameServer on 127.0.0.1. Never load
 * this class in the parent JVM: it needs the broker's jars.
 */
final class ChildNode {
  /** A start that may fail; the failure is reported on the control channel. */
  interface Start {
    /**
     * Starts the node's servers.
     *
     * @throws Exception when they did not start
     */
    void run() throws Exception;
  }

  /** The control channel (the original stdout), for ControlProtocol replies only. */
  final PrintStream control;

  private final PrintStream console;

  private ChildNode(PrintStream control, PrintStream console) {
    this.control = control;
    this.console = console;
  }

  /**
   * Takes stdout as the control channel and redirects {@code System.out}/{@code System.err} to
   * {@code <dir>/logs/child-console.log}: RocketMQ prints there, which must not reach the channel.
   *
   * @param dir the node's work dir
   * @return the node's channels
   * @throws IOException when the log directory cannot be created
   */
  static ChildNode open(Path dir) throws IOException {
    PrintStream control =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    Path logDir = dir.resolve("logs");
    Files.createDirectories(logDir);
    PrintStream console =
        new PrintStream(
            new FileOutputStream(logDir.resolve("child-console.log").toFile(), true),
            true,
            StandardCharsets.UTF_8);
    System.setOut(console);
    System.setErr(console);
    return new ChildNode(control, console);
  }

  /**
   * Runs the start and reports it: READY, or FAILED with the cause and a halt (exit code 3), so the
   * parent never waits on a half-started child.
   *
   * @param start the start
   */
  void start(Start start) {
    try {
      start.run();
    } catch (Throwable e) {
      e.printStackTrace(console);
      synchronized (control) {
        control.println(ControlProtocol.failed(String.valueOf(e)));
      }
      console.flush();
      Runtime.getRuntime().halt(3);
    }
    synchronized (control) {
      control.println(ControlProtocol.READY);
    }
  }

  /**
   * Creates and initialises a NameServer bound to 127.0.0.1 with its files under {@code
   * <dir>/namesrv}; the caller starts it.
   *
   * @param dir the node's work dir (also its RocketMQ home)
   * @param port the listen port
   * @return the initialised controller
   * @throws IllegalStateException when it failed to initialise
   */
  static NamesrvController nameServer(Path dir, int port) {
    NamesrvConfig config = new NamesrvConfig();
    config.setRocketmqHome(dir.toString());
    config.setKvConfigPath(dir.resolve("namesrv/kvConfig.json").toString());
    config.setConfigStorePath(dir.resolve("namesrv/namesrv.properties").toString());
    NettyServerConfig server = new NettyServerConfig();
    server.setListenPort(port);
    server.setBindAddress("127.0.0.1");
    NamesrvController namesrv = new NamesrvController(config, server, new NettyClientConfig());
    if (!namesrv.initialize()) {
      throw new IllegalStateException("NameServer failed to initialize");
    }
    return namesrv;
  }
}
