package io.reliablemq.test.internal;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM of {@code EmbeddedRocketMQ} or of a node of {@code EmbeddedRocketMQCluster}, driven
 * over {@link ControlProtocol}: started from the cached broker jars, answering commands on its
 * stdout, stopped gracefully, killed (SIGKILL), paused (SIGSTOP) or resumed (SIGCONT). The child
 * halts when its stdin reaches EOF, so it never outlives the parent; the owner also kills it from a
 * shutdown hook.
 *
 * <p>Lifecycle calls are synchronized; commands are serialized by their own lock so a command to a
 * paused child does not block {@link #resume()}.
 */
public final class ChildProcess {
  private static final String EOF = "\u0000EOF";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final Path dir;
  private final List<String> logFiles;
  private final Object commandLock = new Object();

  private volatile Process process;
  private BufferedWriter stdin;
  private BlockingQueue<String> replies;

  /**
   * Creates a handle; nothing starts yet.
   *
   * @param name node name, for messages
   * @param dir the node's work dir ({@code logs/} is created in it)
   * @param logFiles log files under {@code dir} whose tail a start failure reports
   */
  public ChildProcess(String name, Path dir, List<String> logFiles) {
    this.name = name;
    this.dir = dir;
    this.logFiles = List.copyOf(logFiles);
  }

  /**
   * The JVM command line of a child running {@code mainClass} from the broker jars: everything
   * RocketMQ derives from {@code user.home} (logs, default store) lands in {@code dir}.
   *
   * @param javaExecutable the {@code java} executable
   * @param dir the node's work dir
   * @param memoryOptions heap and GC options
   * @param userOptions options appended after the defaults (they win)
   * @param mainClass the child's main class
   * @param args its arguments
   * @return the command
   * @throws UncheckedIOException if the broker jars cannot be located or extracted
   */
  public static List<String> javaCommand(
      String javaExecutable,
      Path dir,
      List<String> memoryOptions,
      List<String> userOptions,
      String mainClass,
      List<String> args) {
    Path libDir;
    try {
      libDir = BrokerLib.locate(BrokerLib.codeSource(), BrokerLib.defaultCacheRoot());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the broker's jars", e);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable);
    cmd.addAll(memoryOptions);
    cmd.add("-Xshare:auto");
    cmd.add("-Duser.home=" + dir);
    cmd.add("-Drocketmq.home.dir=" + dir);
    cmd.add("-Drmq.proxy.home=" + dir);
    cmd.add("-Drocketmq.client.logRoot=" + dir.resolve("logs"));
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
    cmd.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.addAll(userOptions);
    cmd.add("-cp");
    cmd.add(libDir.resolve("*") + File.pathSeparator + BrokerLib.codeSource());
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Starts the child and blocks until it reports {@link ControlProtocol#READY}.
   *
   * @param command the command line
   * @param readyTimeout how long to wait for readiness
   * @throws IllegalStateException if it is already running or did not become ready (the message
   *     includes the tail of its logs; the child is killed)
   */
  public synchronized void start(List<String> command, Duration readyTimeout) {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    try {
      Files.createDirectories(dir.resolve("logs"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir.resolve("logs"), e);
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.directory(dir.toFile());
    pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(stderrLog()).toFile()));
    pb.environment().remove("ROCKETMQ_HOME");
    pb.environment().remove("NAMESRV_ADDR");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
    BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    startReader(p, queue);
    synchronized (commandLock) {
      process = p;
      stdin =
          new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
      replies = queue;
    }
    String line = poll(queue, readyTimeout);
    if (!ControlProtocol.READY.equals(line)) {
      String why =
          line == null
              ? "not ready within " + readyTimeout
              : EOF.equals(line) ? "child JVM exited" : line;
      kill();
      throw new IllegalStateException(name + " failed to start: " + why + "\n" + logTail(60));
    }
  }

  /**
   * Sends one command and waits for its reply.
   *
   * @param line the command line
   * @param timeout how long to wait for the reply
   * @return the reply's payload after {@code OK} (empty if none)
   * @throws IllegalStateException if the child is not running, the reply is an error, or none came
   */
  public String command(String line, Duration timeout) {
    synchronized (commandLock) {
      if (!isAlive()) {
        throw new IllegalStateException(name + " is not running");
      }
      String reply;
      // A reply that came after its command timed out must not be taken for this one's.
      replies.removeIf(r -> !EOF.equals(r));
      try {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
        reply = poll(replies, timeout);
      } catch (IOException e) {
        throw new IllegalStateException(name + " control channel broken: " + line, e);
      }
      String payload = reply == null ? null : ControlProtocol.okPayload(reply);
      if (payload == null) {
        throw new IllegalStateException(
            name
                + " command failed: "
                + line
                + ": "
                + (reply == null ? "timeout" : EOF.equals(reply) ? "child JVM exited" : reply));
      }
      return payload;
    }
  }

  /**
   * Stops the child gracefully ({@link ControlProtocol#SHUTDOWN}) and waits for it to exit;
   * escalates to SIGTERM, then SIGKILL, after 30 s. Resumes a paused child first.
   */
  public synchronized void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
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
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          kill();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  /**
   * Kills the child with SIGKILL and waits for it to exit. Not synchronized: the shutdown hook and
   * a timed-out command call it while a lifecycle call may hold the lock.
   */
  public void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + ": child " + p.pid() + " did not die after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends a signal ({@code STOP}, {@code CONT}) to the running child; no-op if it is not running.
   *
   * @param signal the signal name without {@code SIG}
   */
  public void signal(String signal) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    try {
      Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Whether the child JVM is alive (a paused child counts as alive).
   *
   * @return true if alive
   */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
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

  /**
   * The tail of the child's logs, for failure messages.
   *
   * @param lines lines per file
   * @return the text
   */
  public String logTail(int lines) {
    StringBuilder sb = new StringBuilder();
    List<String> files = new ArrayList<>();
    files.add(stderrLog());
    files.add("logs/child-console.log");
    files.addAll(logFiles);
    for (String f : files) {
      Path log = dir.resolve(f);
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

  private static String stderrLog() {
    return "logs/child-stderr.log";
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
}
