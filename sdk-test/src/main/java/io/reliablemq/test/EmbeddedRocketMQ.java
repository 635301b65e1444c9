package io.reliablemq.test;

import io.reliablemq.test.internal.BrokerLib;
import io.reliablemq.test.internal.ControlProtocol;
import io.reliablemq.test.internal.StackConfig;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real RocketMQ 5 stack for tests: NameServer and proxy in LOCAL mode (broker embedded), in a
 * child JVM of its own so the broker's jars never meet {@code rocketmq-client-java} on one
 * classpath, and so tests can stop, kill, pause and restart it.
 *
 * <p>Every port is a random free port on 127.0.0.1, chosen once: {@link #restart()} keeps the ports
 * and the store. The child never outlives this JVM (a shutdown hook kills it, and it halts when its
 * stdin reaches EOF). Server logs go to {@code workDir()/logs}.
 *
 * <pre>{@code
 * try (EmbeddedRocketMQ mq = EmbeddedRocketMQ.builder().build().start()) {
 *   mq.createTopic("orders", TopicType.NORMAL);
 *   // ClientConfiguration.newBuilder().setEndpoints(mq.endpoints()).enableSsl(false)...
 * }
 * }</pre>
 *
 * <p>Not thread-safe for concurrent lifecycle calls; {@code createTopic} and {@code
 * createConsumerGroup} may be called from several threads.
 */
public final class EmbeddedRocketMQ implements AutoCloseable {
  /** Queues per topic when not given: 8, the broker's and mqadmin's default. */
  public static final int DEFAULT_QUEUES = 8;

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final String EOF = "\u0000EOF";
  private static final AtomicLong NAME_COUNTER = new AtomicLong();

  private final Path workDir;
  private final boolean ownsWorkDir;
  private final Map<String, String> brokerProperties;
  private final Map<String, String> proxyProperties;
  private final Duration startTimeout;
  private final String javaExecutable;
  private final List<String> jvmOptions;
  private final StackConfig config;
  private final Object commandLock = new Object();

  private Process process;
  private BufferedWriter stdin;
  private BlockingQueue<String> replies;
  private Thread shutdownHook;
  private boolean closed;

  private EmbeddedRocketMQ(Builder b) {
    try {
      if (b.workDir != null) {
        this.workDir = Files.createDirectories(b.workDir).toAbsolutePath();
        this.ownsWorkDir = false;
      } else {
        this.workDir = Files.createTempDirectory("embedded-rocketmq-").toAbsolutePath();
        this.ownsWorkDir = true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create work dir", e);
    }
    this.brokerProperties = Map.copyOf(b.brokerProperties);
    this.proxyProperties = Map.copyOf(b.proxyProperties);
    this.startTimeout = b.startTimeout;
    this.javaExecutable = b.javaExecutable;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.config = StackConfig.pick(workDir);
  }

  /**
   * Returns a new builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a name unique in this JVM and very likely across runs on a reused store, e.g. {@code
   * topic-3-9f2c1a}: a new consumer group starts from the earliest message still in the store, so
   * tests should use fresh topics and groups.
   *
   * @param prefix a prefix of letters, digits, {@code -} or {@code _}
   * @return the name
   */
  public static String uniqueName(String prefix) {
    String name =
        prefix
            + "-"
            + NAME_COUNTER.incrementAndGet()
            + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    ControlProtocol.checkName(name);
    return name;
  }

  /**
   * Starts the child JVM and blocks until the proxy accepts connections and the NameServer serves
   * routes.
   *
   * @return this
   * @throws IllegalStateException if already running or closed, or startup failed (the message
   *     includes the tail of the child's logs)
   */
  public synchronized EmbeddedRocketMQ start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (isRunning()) {
      throw new IllegalStateException("already running");
    }
    config.write(brokerProperties, proxyProperties);
    Path libDir;
    try {
      libDir = BrokerLib.locate(BrokerLib.codeSource(), BrokerLib.defaultCacheRoot());
      Files.createDirectories(workDir.resolve("logs"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the broker's jars", e);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable);
    cmd.add("-Xms128m");
    cmd.add("-Xmx512m");
    cmd.add("-XX:MaxDirectMemorySize=256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xshare:auto");
    // Everything RocketMQ derives from user.home (logs, default store, client logs) lands here.
    cmd.add("-Duser.home=" + workDir);
    cmd.add("-Drocketmq.home.dir=" + workDir);
    cmd.add("-Drmq.proxy.home=" + workDir);
    cmd.add("-Drocketmq.client.logRoot=" + workDir.resolve("logs"));
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
    cmd.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(libDir.resolve("*") + File.pathSeparator + BrokerLib.codeSource());
    cmd.add("io.reliablemq.test.internal.BrokerLauncher");
    cmd.add(workDir.toString());
    cmd.add(Integer.toString(config.namesrvPort()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.directory(workDir.toFile());
    pb.redirectError(ProcessBuilder.Redirect.appendTo(stderrLog().toFile()));
    pb.environment().remove("ROCKETMQ_HOME");
    pb.environment().remove("NAMESRV_ADDR");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + javaExecutable, e);
    }
    if (shutdownHook == null) {
      shutdownHook = new Thread(this::destroyNow, "embedded-rocketmq-killer");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    stdin =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    replies = new LinkedBlockingQueue<>();
    startReader(process, replies);
    String line = poll(replies, startTimeout);
    if (!ControlProtocol.READY.equals(line)) {
      String why =
          line == null
              ? "not ready within " + startTimeout
              : EOF.equals(line) ? "child JVM exited" : line;
      destroyNow();
      throw new IllegalStateException(
          "EmbeddedRocketMQ failed to start: " + why + "\n" + logTail(60));
    }
    return this;
  }

  /**
   * The gRPC endpoint for {@code rocketmq-client-java}: {@code 127.0.0.1:<port>}. The proxy accepts
   * plaintext and TLS on it; use {@code enableSsl(false)}.
   *
   * @return the endpoint
   */
  public String endpoints() {
    return "127.0.0.1:" + config.grpcPort();
  }

  /**
   * The NameServer address ({@code 127.0.0.1:<port>}), for remoting clients and admin tools.
   *
   * @return the address
   */
  public String namesrvAddress() {
    return "127.0.0.1:" + config.namesrvPort();
  }

  /**
   * Creates (or updates) a topic with {@value #DEFAULT_QUEUES} queues and returns once the
   * NameServer serves its route.
   *
   * @param name topic name ({@code [%|a-zA-Z0-9_-]}, at most 127 chars)
   * @param type message type accepted by the topic
   */
  public void createTopic(String name, TopicType type) {
    createTopic(name, type, DEFAULT_QUEUES);
  }

  /**
   * Creates (or updates) a topic and returns once the NameServer serves its route.
   *
   * @param name topic name ({@code [%|a-zA-Z0-9_-]}, at most 127 chars)
   * @param type message type accepted by the topic
   * @param queues read and write queue count, 1..1024
   */
  public void createTopic(String name, TopicType type, int queues) {
    Objects.requireNonNull(type, "type");
    command(ControlProtocol.createTopic(name, type.name(), queues));
  }

  /**
   * Creates (or updates) a consumer group. Groups are created automatically on first use, but a
   * FIFO consumer needs its group created with {@code fifo = true} ({@code consumeMessageOrderly}).
   *
   * @param name group name
   * @param fifo whether messages are delivered in order within a message group
   */
  public void createConsumerGroup(String name, boolean fifo) {
    command(ControlProtocol.createGroup(name, fifo));
  }

  private void command(String line) {
    synchronized (commandLock) {
      if (!isRunning()) {
        throw new IllegalStateException("broker is not running");
      }
      String reply;
      try {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
        reply = poll(replies, COMMAND_TIMEOUT);
      } catch (IOException e) {
        throw new IllegalStateException("broker control channel broken: " + line, e);
      }
      if (!ControlProtocol.OK.equals(reply)) {
        throw new IllegalStateException(
            "broker command failed: " + line + ": " + (reply == null ? "timeout" : reply));
      }
    }
  }

  /**
   * Stops the stack gracefully (the broker flushes and persists offsets) and waits for the child to
   * exit; escalates to SIGTERM, then SIGKILL, after 30 s. Resumes a paused child first.
   */
  public synchronized void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    signal("CONT");
    try {
      synchronized (commandLock) {
        stdin.write(ControlProtocol.SHUTDOWN);
        stdin.write('\n');
        stdin.flush();
      }
    } catch (IOException e) {
      // Already going away.
    }
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          destroyNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      destroyNow();
    }
  }

  /** Kills the child with SIGKILL, like a crash, and waits for it to exit. */
  public synchronized void kill() {
    destroyNow();
  }

  /** Freezes the child with SIGSTOP: a hung broker (connections stay open, nothing answers). */
  public synchronized void pause() {
    requireRunning();
    signal("STOP");
  }

  /** Resumes a paused child with SIGCONT. */
  public synchronized void resume() {
    requireRunning();
    signal("CONT");
  }

  /**
   * Stops the stack if it is running (gracefully) and starts it again on the same ports and store;
   * blocks until ready. Topics and consumer offsets persist.
   */
  public synchronized void restart() {
    stop();
    start();
  }

  /**
   * Whether the child JVM is alive (a paused child counts as running).
   *
   * @return true if alive
   */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /**
   * The work dir holding {@code store/}, {@code logs/} and {@code conf/}.
   *
   * @return the absolute path
   */
  public Path workDir() {
    return workDir;
  }

  /**
   * The child's process id while it runs.
   *
   * @return the pid, or -1 if not running
   */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  /** Kills the child if it runs and deletes the work dir if this instance created it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    destroyNow();
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
    return "EmbeddedRocketMQ[" + endpoints() + ", " + workDir + "]";
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException("broker is not running");
    }
  }

  private void destroyNow() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("child " + p.pid() + " did not die after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void signal(String name) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    try {
      Process k = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void startReader(Process p, BlockingQueue<String> queue) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  queue.add(line);
                }
              } catch (IOException e) {
                // Stream closed: the child is gone.
              }
              queue.add(EOF);
            },
            "embedded-rocketmq-reader-" + p.pid());
    t.setDaemon(true);
    t.start();
  }

  private static String poll(BlockingQueue<String> queue, Duration timeout) {
    try {
      return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Path stderrLog() {
    return workDir.resolve("logs").resolve("child-stderr.log");
  }

  private String logTail(int lines) {
    StringBuilder sb = new StringBuilder();
    for (Path log :
        List.of(
            stderrLog(),
            workDir.resolve("logs/child-console.log"),
            workDir.resolve("logs/rocketmqlogs/proxy.log"),
            workDir.resolve("logs/rocketmqlogs/broker.log"))) {
      if (!Files.isRegularFile(log)) {
        continue;
      }
      try {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        sb.append("--- tail of ").append(log).append(" ---\n");
        for (String l : all.subList(Math.max(0, all.size() - lines), all.size())) {
          sb.append(l).append('\n');
        }
      } catch (IOException | UncheckedIOException e) {
        sb.append("--- cannot read ").append(log).append(": ").append(e).append('\n');
      }
    }
    return sb.toString();
  }

  /** Builder of {@link EmbeddedRocketMQ}. */
  public static final class Builder {
    private Path workDir;
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private final Map<String, String> proxyProperties = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(90);
    private String javaExecutable =
        Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    private final List<String> jvmOptions = new ArrayList<>();

    private Builder() {}

    /**
     * Uses a given work dir (kept on close; reusing it reuses the store). Default: a temporary
     * directory deleted on {@link EmbeddedRocketMQ#close()}.
     *
     * @param dir the directory
     * @return this
     */
    public Builder workDir(Path dir) {
      this.workDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Sets a broker property (a {@code broker.conf} key), applied over the defaults, e.g. {@code
     * transactionCheckInterval}.
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
     * Overrides a proxy setting ({@code org.apache.rocketmq.proxy.config.ProxyConfig} field name).
     * Example: {@code defaultInvisibleTimeMills = 15000}, so messages a consumer held when the
     * stack was killed come back after 15 s instead of the default 60 s.
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
     * How long {@link EmbeddedRocketMQ#start()} waits for readiness. Default 90 s.
     *
     * @param timeout the timeout
     * @return this
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
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
     * Uses a given {@code java} executable for the child.
     *
     * @param executable path of the executable
     * @return this
     */
    public Builder javaExecutable(String executable) {
      this.javaExecutable = Objects.requireNonNull(executable, "executable");
      return this;
    }

    /**
     * Adds an option to the child's JVM command line (after the defaults, so it wins).
     *
     * @param option e.g. {@code -Xmx768m}
     * @return this
     */
    public Builder jvmOption(String option) {
      jvmOptions.add(Objects.requireNonNull(option, "option"));
      return this;
    }

    /**
     * Builds an instance that is not started yet; ports are chosen now.
     *
     * @return the instance
     */
    public EmbeddedRocketMQ build() {
      return new EmbeddedRocketMQ(this);
    }
  }
}
