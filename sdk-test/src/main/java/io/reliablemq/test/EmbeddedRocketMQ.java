package io.reliablemq.test;

import io.reliablemq.test.internal.AclConfig;
import io.reliablemq.test.internal.BrokerLib;
import io.reliablemq.test.internal.ChildProcess;
import io.reliablemq.test.internal.ControlProtocol;
import io.reliablemq.test.internal.StackConfig;
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
import java.util.concurrent.ThreadLocalRandom;
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
 *   // ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false).build()
 * }
 * }</pre>
 *
 * <p>With {@link Builder#authentication(String, String)} the stack enforces RocketMQ ACL 2.0: every
 * request must carry valid credentials ({@code ClientConfiguration.setCredentialProvider}) of the
 * super user or of a {@link Builder#user(AclUser) user}, and is authorized against that user's
 * grants; a refusal is {@code UNAUTHORIZED} (40100).
 *
 * <pre>{@code
 * EmbeddedRocketMQ.builder()
 *     .authentication("admin", "admin-secret")
 *     .user(AclUser.custom("orders-app", "s3cret").publish("orders").build())
 *     .build().start();
 * }</pre>
 *
 * <p>Not thread-safe for concurrent lifecycle calls; {@code createTopic} and {@code
 * createConsumerGroup} may be called from several threads.
 */
public final class EmbeddedRocketMQ implements AutoCloseable {
  /** Queues per topic when not given: 8, the broker's and mqadmin's default. */
  public static final int DEFAULT_QUEUES = 8;

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicLong NAME_COUNTER = new AtomicLong();

  private final Path workDir;
  private final boolean ownsWorkDir;
  private final Map<String, String> brokerProperties;
  private final Map<String, String> proxyProperties;
  private final Duration startTimeout;
  private final String javaExecutable;
  private final List<String> jvmOptions;
  private final StackConfig config;
  private final ChildProcess child;
  private final boolean authentication;
  // Guarded by this; written to the users file before each start and on putUser.
  private final Map<String, AclUser> users = new LinkedHashMap<>();

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
    this.authentication = b.superUser != null;
    Map<String, String> broker = new LinkedHashMap<>();
    Map<String, String> proxy = new LinkedHashMap<>();
    if (authentication) {
      broker.putAll(AclConfig.brokerProperties(b.superUser, b.superPassword));
      proxy.putAll(AclConfig.proxyProperties());
    }
    broker.putAll(b.brokerProperties);
    proxy.putAll(b.proxyProperties);
    this.brokerProperties = Map.copyOf(broker);
    this.proxyProperties = Map.copyOf(proxy);
    b.users.forEach(u -> users.put(u.username(), u));
    this.startTimeout = b.startTimeout;
    this.javaExecutable = b.javaExecutable;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.config = StackConfig.pick(workDir);
    this.child =
        new ChildProcess(
            "EmbeddedRocketMQ",
            workDir,
            List.of("logs/rocketmqlogs/proxy.log", "logs/rocketmqlogs/broker.log"));
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
    if (authentication) {
      AclConfig.writeUsers(workDir, users.values());
    }
    List<String> cmd =
        ChildProcess.javaCommand(
            javaExecutable,
            workDir,
            List.of("-Xms128m", "-Xmx512m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC"),
            jvmOptions,
            "io.reliablemq.test.internal.BrokerLauncher",
            List.of(workDir.toString(), Integer.toString(config.namesrvPort())));
    if (shutdownHook == null) {
      shutdownHook = new Thread(child::kill, "embedded-rocketmq-killer");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    child.start(cmd, startTimeout);
    return this;
  }

  /**
   * The gRPC endpoint of the proxy: {@code 127.0.0.1:<port>}. The proxy accepts plaintext and TLS
   * (a self-signed certificate) on it. The SDK's TLS is on by default ({@code
   * ClientSettings.sslEnabled}, true): connect in plaintext with {@code
   * ClientSettings.custom().endpoints(mq.endpoints()).sslEnabled(false)}, in Spring with {@code
   * reliablemq.ssl-enabled=false} (a raw {@code rocketmq-client-java}: {@code enableSsl(false)}).
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
   * FIFO consumer needs its group created with {@code fifo = true} ({@code consumeMessageOrderly}),
   * before it subscribes: to an auto-created group the broker delivers even a FIFO topic's messages
   * concurrently, in no order. On a real cluster the same is {@code mqadmin updateSubGroup -g
   * <group> -o true}.
   *
   * @param name group name
   * @param fifo whether messages are delivered in order within a message group
   */
  public void createConsumerGroup(String name, boolean fifo) {
    command(ControlProtocol.createGroup(name, fifo));
  }

  /**
   * Whether this broker enforces ACL 2.0 authentication and authorization ({@link
   * Builder#authentication(String, String)}).
   *
   * @return true when it does
   */
  public boolean authenticationEnabled() {
    return authentication;
  }

  /**
   * Creates a user of the running broker, or replaces the password and grants of an existing one;
   * effective for the next request (the proxy reads users from the broker on every request). The
   * user is kept across {@link #restart()}.
   *
   * @param user the user
   * @throws IllegalStateException when authentication is off or the broker is not running
   */
  public synchronized void putUser(AclUser user) {
    Objects.requireNonNull(user, "user");
    requireAuthentication();
    requireRunning();
    users.put(user.username(), user);
    AclConfig.writeUsers(workDir, users.values());
    command(ControlProtocol.LOAD_USERS);
  }

  /**
   * Deletes a user and its ACL from the running broker: its credentials are refused from the next
   * request on.
   *
   * @param username the user name
   * @throws IllegalStateException when authentication is off or the broker is not running
   */
  public synchronized void deleteUser(String username) {
    requireAuthentication();
    requireRunning();
    ControlProtocol.checkName(username);
    users.remove(username);
    AclConfig.writeUsers(workDir, users.values());
    command(ControlProtocol.DELETE_USER + " " + username);
  }

  private void requireAuthentication() {
    if (!authentication) {
      throw new IllegalStateException("authentication is off: use Builder.authentication(..)");
    }
  }

  private void command(String line) {
    child.command(line, COMMAND_TIMEOUT);
  }

  /**
   * Stops the stack gracefully (the broker flushes and persists offsets) and waits for the child to
   * exit; escalates to SIGTERM, then SIGKILL, after 30 s. Resumes a paused child first.
   */
  public synchronized void stop() {
    child.stop();
  }

  /** Kills the child with SIGKILL, like a crash, and waits for it to exit. */
  public synchronized void kill() {
    child.kill();
  }

  /** Freezes the child with SIGSTOP: a hung broker (connections stay open, nothing answers). */
  public synchronized void pause() {
    requireRunning();
    child.signal("STOP");
  }

  /** Resumes a paused child with SIGCONT. */
  public synchronized void resume() {
    requireRunning();
    child.signal("CONT");
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
    return child.isAlive();
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
    return child.pid();
  }

  /** Kills the child if it runs and deletes the work dir if this instance created it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    child.kill();
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

  /** Builder of {@link EmbeddedRocketMQ}. */
  public static final class Builder {
    private Path workDir;
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private final Map<String, String> proxyProperties = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(90);
    private String javaExecutable =
        Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    private final List<String> jvmOptions = new ArrayList<>();
    private String superUser;
    private String superPassword;
    private final List<AclUser> users = new ArrayList<>();

    private Builder() {}

    /**
     * Turns on RocketMQ ACL 2.0: the broker and the proxy authenticate every gRPC request (the
     * client's {@code MQv2-HMAC-SHA1} signature) and authorize it against the user's grants; a
     * refused request is answered {@code UNAUTHORIZED} (40100). The super user may do everything;
     * the users and grants live in RocksDB under the store root. Default: off.
     *
     * @param superUser the super user's name ({@code [a-zA-Z0-9_-]}, at most 64 chars)
     * @param superPassword its password, not blank
     * @return this
     */
    public Builder authentication(String superUser, String superPassword) {
      AclUser checked = AclUser.custom(superUser, superPassword).build();
      this.superUser = checked.username();
      this.superPassword = checked.password();
      return this;
    }

    /**
     * Adds a user created when the broker starts (needs {@link #authentication(String, String)}).
     *
     * @param user the user and its grants
     * @return this
     */
    public Builder user(AclUser user) {
      users.add(Objects.requireNonNull(user, "user"));
      return this;
    }

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
      if (superUser == null && !users.isEmpty()) {
        throw new IllegalArgumentException("users need authentication(superUser, superPassword)");
      }
      return new EmbeddedRocketMQ(this);
    }
  }
}
