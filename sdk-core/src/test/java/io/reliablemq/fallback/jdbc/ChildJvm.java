package io.reliablemq.fallback.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A running {@link H2StoreKillChild} and what it printed, read by a background thread. */
final class ChildJvm implements AutoCloseable {
  final Process process;
  final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  final Set<String> held = ConcurrentHashMap.newKeySet();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile String h2Version;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final AtomicInteger acks = new AtomicInteger();
  private final Object ackSignal = new Object();
  private final Thread reader;
  private final Path stderr;

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(this::read, "child-stdout-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(Path stderr, String... args) throws IOException {
    return startWithClassPath(System.getProperty("java.class.path"), stderr, args);
  }

  /** Starts the child on {@code classPath}, e.g. the test class path with another H2 jar. */
  static ChildJvm startWithClassPath(String classPath, Path stderr, String... args)
      throws IOException {
    return startWithClassPath(classPath, List.of(), stderr, args);
  }

  /** Starts the child on {@code classPath} with extra JVM options, e.g. {@code -Dname=value}. */
  static ChildJvm startWithClassPath(
      String classPath, List<String> jvmOptions, Path stderr, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(H2StoreKillChild.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    return new ChildJvm(pb.start(), stderr);
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.equals("READY")) {
          ready.countDown();
        } else if (line.startsWith("H2 ")) {
          h2Version = line.substring(3);
        } else if (line.startsWith("HELD ")) {
          held.add(line.substring(5));
        } else if (line.equals("DONE")) {
          done.countDown();
        } else if (line.startsWith("ACK ")) {
          acknowledged.add(line.substring(4));
          acks.incrementAndGet();
          synchronized (ackSignal) {
            ackSignal.notifyAll();
          }
        }
      }
    } catch (IOException e) {
      // the pipe closes when the child dies
    }
  }

  boolean awaitReady(long timeoutMillis) throws InterruptedException {
    return ready.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Waits until a {@code verify} child printed {@code DONE}. */
  boolean awaitDone(long timeoutMillis) throws InterruptedException {
    return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** The H2 version the child printed, or null before it did. */
  String h2Version() {
    return h2Version;
  }

  /** Waits until at least {@code n} acknowledgements were read (or the child died). */
  boolean awaitAcks(int n, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    synchronized (ackSignal) {
      while (acks.get() < n && process.isAlive()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return false;
        }
        ackSignal.wait(Math.min(left, 100));
      }
    }
    return acks.get() >= n;
  }

  /** SIGKILL, then reads what was already in the pipe. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    reader.join(10_000);
  }

  String stderrText() {
    try {
      return java.nio.file.Files.readString(stderr);
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  /**
   * The test class path with its H2 jar replaced by {@code version}'s, unless it is the reactor's.
   */
  static String classPathWithH2(String version) {
    String classPath = System.getProperty("java.class.path");
    if (version.equals(org.h2.engine.Constants.VERSION)) {
      return classPath;
    }
    Path jar =
        Path.of(
            System.getProperty("basedir", "."), "target", "h2-versions", "h2-" + version + ".jar");
    assertThat(jar)
        .as(
            "the H2 %s jar is missing: add it to the h2-versions-for-child-jvms execution in"
                + " sdk-core/pom.xml",
            version)
        .isRegularFile();
    List<String> entries = new ArrayList<>();
    boolean replaced = false;
    for (String entry : classPath.split(File.pathSeparator)) {
      if (Path.of(entry).getFileName().toString().matches("h2-\\d.*\\.jar")) {
        entries.add(jar.toAbsolutePath().toString());
        replaced = true;
      } else {
        entries.add(entry);
      }
    }
    assertThat(replaced).as("an H2 jar on the test class path %s", classPath).isTrue();
    return String.join(File.pathSeparator, entries);
  }
}
