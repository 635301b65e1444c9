package io.reliablemq.test.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds the broker stack's jars, which reliablemq-test ships as nested resources under {@value
 * #PREFIX} (invisible to class loaders), and makes them available as a directory for the child's
 * classpath: used in place when running from a classes directory, else extracted once into a cache
 * directory keyed by the entries' names and CRCs.
 */
public final class BrokerLib {
  /** Where the nested jars live inside reliablemq-test. */
  public static final String PREFIX = "META-INF/reliablemq/broker-lib/";

  private static final String COMPLETE_MARKER = ".complete";
  private static final Pattern PROXY_JAR = Pattern.compile("rocketmq-proxy-(.+)\\.jar");

  private BrokerLib() {}

  /**
   * Returns the file or directory reliablemq-test's classes were loaded from.
   *
   * @return jar file or classes directory
   */
  public static Path codeSource() {
    try {
      return Paths.get(BrokerLib.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate reliablemq-test's code source", e);
    }
  }

  /**
   * Returns a directory holding the broker stack's jars.
   *
   * @param codeSource reliablemq-test's jar or classes directory
   * @param cacheRoot where to extract when {@code codeSource} is a jar
   * @return the directory
   * @throws IOException if extraction fails
   */
  public static Path locate(Path codeSource, Path cacheRoot) throws IOException {
    if (Files.isDirectory(codeSource)) {
      Path dir = codeSource.resolve(PREFIX);
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(
            "no broker jars in "
                + dir
                + ": build reliablemq-test with Maven (process-resources copies them)");
      }
      return dir;
    }
    return extract(codeSource, cacheRoot);
  }

  /**
   * Extracts the nested jars of {@code jar} into {@code cacheRoot/broker-<version>-<hash>} unless a
   * complete extraction is already there. Safe against concurrent JVMs: extraction goes to a
   * temporary sibling directory which is then renamed atomically.
   *
   * @param jar reliablemq-test's jar
   * @param cacheRoot the cache root directory
   * @return the directory holding the jars
   * @throws IOException if extraction fails
   */
  public static Path extract(Path jar, Path cacheRoot) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<ZipEntry> entries = new ArrayList<>();
      zip.stream()
          .filter(e -> !e.isDirectory() && e.getName().startsWith(PREFIX))
          .filter(e -> e.getName().indexOf('/', PREFIX.length()) < 0)
          .forEach(entries::add);
      if (entries.isEmpty()) {
        throw new IllegalStateException("no broker jars under " + PREFIX + " in " + jar);
      }
      Collections.sort(entries, (a, b) -> a.getName().compareTo(b.getName()));
      Path target = cacheRoot.resolve("broker-" + version(entries) + "-" + hash(entries));
      if (Files.exists(target.resolve(COMPLETE_MARKER))) {
        return target;
      }
      Files.createDirectories(cacheRoot);
      Path tmp = cacheRoot.resolve(target.getFileName() + ".tmp-" + UUID.randomUUID());
      Files.createDirectory(tmp);
      try {
        for (ZipEntry e : entries) {
          try (InputStream in = zip.getInputStream(e)) {
            Files.copy(in, tmp.resolve(e.getName().substring(PREFIX.length())));
          }
        }
        Files.writeString(tmp.resolve(COMPLETE_MARKER), jar.toString(), StandardCharsets.UTF_8);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
          handleLostRace(target, e);
        } catch (IOException e) {
          // Linux reports a non-empty target as DirectoryNotEmptyException.
          handleLostRace(target, e);
        }
      } finally {
        if (Files.exists(tmp)) {
          deleteRecursively(tmp);
        }
      }
      return target;
    }
  }

  private static void handleLostRace(Path target, IOException e) throws IOException {
    if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
      throw e;
    }
    // Another JVM finished the same extraction first: use its copy.
  }

  static String version(List<ZipEntry> entries) {
    for (ZipEntry e : entries) {
      Matcher m = PROXY_JAR.matcher(e.getName().substring(PREFIX.length()));
      if (m.matches()) {
        return m.group(1);
      }
    }
    return "unknown";
  }

  static String hash(List<ZipEntry> entries) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (ZipEntry e : entries) {
        md.update(e.getName().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(Long.toHexString(e.getCrc()).getBytes(StandardCharsets.UTF_8));
        md.update(Long.toHexString(e.getSize()).getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes a file or directory tree; missing paths are ignored.
   *
   * @param root the root
   */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      List<Path> paths = new ArrayList<>(walk.toList());
      Collections.reverse(paths);
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /**
   * The default cache root: {@code -Dreliablemq.cache.dir}, else {@code
   * $XDG_CACHE_HOME/reliablemq}, else {@code ~/.cache/reliablemq}.
   *
   * @return the cache root
   */
  public static Path defaultCacheRoot() {
    String prop = System.getProperty("reliablemq.cache.dir");
    if (prop != null && !prop.isBlank()) {
      return Paths.get(prop);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Paths.get(xdg, "reliablemq");
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "reliablemq");
  }
}
