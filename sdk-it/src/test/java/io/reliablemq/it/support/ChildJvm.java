package io.reliablemq.it.support;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test application in its own JVM, on the test class path: its stdout lines are collected, its
 * stderr goes to a file, and it can be SIGKILLed, SIGSTOPped and SIGCONTed like a real process.
 */
public final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the pipe closes when the child dies
              }
            },
            "child-reader-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code mainClass} in a new JVM with 256 MB of heap.
   *
   * @param name a file-name-safe name for the logs
   * @param logDir where stderr and the RocketMQ client logs go
   * @param mainClass the application
   * @param args its arguments
   * @return the running child
   */
  public static ChildJvm start(String name, Path logDir, Class<?> mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Drocketmq.log.root=" + logDir.resolve("client-" + name));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(logDir.resolve(name + ".err").toFile());
    try {
      return new ChildJvm(name, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /**
   * The stdout lines so far.
   *
   * @return a live, thread-safe view
   */
  public List<String> lines() {
    return lines;
  }

  /**
   * Whether some stdout line matches.
   *
   * @param p the test
   * @return true if one does
   */
  public boolean printed(Predicate<String> p) {
    return lines.stream().anyMatch(p);
  }

  /**
   * Waits (bounded) for a stdout line; fails early when the child dies.
   *
   * @param timeout the bound
   * @param what for the failure message
   * @param p the line test
   */
  public void awaitLine(Duration timeout, String what, Predicate<String> p) {
    // An exception thrown by the condition ends an Awaitility wait at once: so the AssertionError
    // below fails it early, as long as no ignoreExceptions() is added here.
    await(name + ": " + what)
        .atMost(timeout)
        .until(
            () -> {
              if (printed(p)) {
                return true;
              }
              if (!process.isAlive()) {
                throw new AssertionError(name + " died while waiting for " + what);
              }
              return false;
            });
  }

  /**
   * The process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Whether the JVM is alive.
   *
   * @return true if alive
   */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, then waits (bounded) for the exit, so files it held are free. */
  public void kill() {
    signal("CONT"); // a stopped process dies on SIGKILL too, but its reaping is prompter
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError(name + " did not die within 30 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** SIGSTOP: the JVM freezes, its sockets and files stay open. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String sig) {
    if (!process.isAlive()) {
      return;
    }
    try {
      Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kill -" + sig + " did not return");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * For the child's {@code main}: halts the JVM when the parent goes away (stdin reaches EOF), so a
   * killed test run leaves no orphan behind.
   */
  public static void exitWithParent() {
    Thread t =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // the parent never writes; only EOF matters
                }
              } catch (IOException e) {
                // treat as EOF
              }
              Runtime.getRuntime().halt(3);
            },
            "parent-watch");
    t.setDaemon(true);
    t.start();
  }

  /** Kills the child if it is still alive. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  @Override
  public String toString() {
    return name + "(pid " + process.pid() + ")";
  }
}
