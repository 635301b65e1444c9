package io.reliablemq.internal.jdbc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded H2 store file opened the one durable way the SDK knows (why: docs/guarantees.md, "The
 * embedded store"): {@code jdbc:h2:file:<dir>/<name>;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;
 * TRACE_LEVEL_FILE=0}, H2's default file lock and retention time, no server, console or {@code
 * AUTO_SERVER}; directory 0700 and files 0600 on POSIX systems; one open per file per process; an
 * anchor connection held until {@link #close} runs {@code SHUTDOWN} (not {@code SHUTDOWN COMPACT},
 * which rewrites the whole file). Shared by every SDK store so they cannot drift apart.
 *
 * <p>Only the H2 versions in {@link #TESTED_H2_VERSIONS} are opened: the store's promise rests on
 * H2 keeping every committed transaction through a {@code kill -9}, which is a property of the H2
 * version, not of this code (2.5.x lost acknowledged commits and corrupted files in that test).
 * Spring Boot's dependency management replaces the H2 version silently, so the check runs on the H2
 * actually loaded, before any file is touched.
 */
public final class EmbeddedH2 implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedH2.class);

  /** The H2 user of an embedded store; the file is protected by its permissions, not a password. */
  private static final String H2_USER = "rmq";

  /** Store files open in this JVM, of every store kind: H2 would silently share a second open. */
  private static final Set<Path> OPEN_FILES = ConcurrentHashMap.newKeySet();

  private final JdbcDataSource dataSource;
  private final Connection anchor;
  private final Path key;
  private final Path file;
  private final String label;
  private boolean closed;

  private EmbeddedH2(
      JdbcDataSource dataSource, Connection anchor, Path key, Path file, String label) {
    this.dataSource = dataSource;
    this.anchor = anchor;
    this.key = key;
    this.file = file;
    this.label = label;
  }

  /**
   * The H2 versions on which {@code H2StoreKillTest} (kill -9 of a process appending to the store,
   * every acknowledged append found after reopening) passed; the test runs on each of them. 2.3.232
   * is what Spring Boot 3.5 manages, 2.4.240 what the SDK is built with and Boot 4.0/4.1 manage.
   */
  public static final List<String> TESTED_H2_VERSIONS = List.of("2.3.232", "2.4.240");

  /**
   * System property that, set to {@code true}, lets the embedded stores open on an H2 version not
   * in {@link #TESTED_H2_VERSIONS} (with a warning). JVM-wide because the H2 on the classpath is.
   */
  public static final String ALLOW_UNTESTED_H2_PROPERTY = "reliablemq.h2.allow-untested-version";

  /** Largest value kept in-row; message bodies above it go to H2's LOB storage. */
  static final int MAX_INPLACE_LOB_BYTES = 64 * 1024;

  /**
   * The JDBC URL of an embedded store; the only place it is built.
   *
   * @param directory the validated, absolute directory
   * @param name the validated name
   * @return the URL
   */
  public static String url(Path directory, String name) {
    return "jdbc:h2:file:"
        + directory.toAbsolutePath().normalize().resolve(name)
        + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0";
  }

  /**
   * Opens (creating if needed) {@code <directory>/<name>.mv.db}.
   *
   * @param directory the validated directory; created with mode 0700 when missing
   * @param name the validated file name
   * @param label what the file is, for messages, e.g. {@code "Fallback store"}
   * @param failure makes the store's own exception
   * @return the open file
   * @throws RuntimeException from {@code failure} when the H2 on the classpath is not one of {@link
   *     #TESTED_H2_VERSIONS} (and {@link #ALLOW_UNTESTED_H2_PROPERTY} is not {@code true}), checked
   *     before anything is created; when the directory cannot be created or written, the file is
   *     open in another process (or already in this one), or it is corrupt; the message names the
   *     path
   */
  public static EmbeddedH2 open(Path directory, String name, String label, StoreFailure failure) {
    return open(
        directory,
        name,
        label,
        failure,
        org.h2.engine.Constants.VERSION,
        Boolean.getBoolean(ALLOW_UNTESTED_H2_PROPERTY));
  }

  /** {@link #open(Path, String, String, StoreFailure)} with the H2 version check's inputs given. */
  static EmbeddedH2 open(
      Path directory,
      String name,
      String label,
      StoreFailure failure,
      String h2Version,
      boolean allowUntestedH2) {
    Objects.requireNonNull(failure, "failure");
    checkH2Version(h2Version, allowUntestedH2, label, failure);
    Path file = directory.resolve(name + ".mv.db");
    prepareDirectory(directory, label, failure);
    if (Files.exists(file) && !Files.isWritable(file)) {
      throw failure.create(label + " file " + file + " is not writable by this process", null);
    }
    Path key;
    try {
      key = directory.toRealPath().resolve(name);
    } catch (IOException e) {
      throw failure.create("Cannot resolve " + lower(label) + " directory " + directory, e);
    }
    if (!OPEN_FILES.add(key)) {
      throw failure.create(label + " file " + file + " is already open in this process", null);
    }
    Connection anchor = null;
    try {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL(url(directory, name));
      ds.setUser(H2_USER);
      ds.setPassword("");
      try {
        // Held until close: an embedded H2 database closes when its last connection does.
        anchor = ds.getConnection();
        if (anchor.isReadOnly()) {
          throw failure.create(
              label + " file " + file + " opened read-only: check its permissions", null);
        }
        try (java.sql.Statement s = anchor.createStatement()) {
          // Bodies up to this size live inside their row instead of H2's separate LOB map, whose
          // per-query LOB copies dominated claims and replays of 1 KiB messages (measured: replay
          // drain ~1k msg/s with LOB copies in every sampled stack). A persistent setting.
          s.execute("SET MAX_LENGTH_INPLACE_LOB " + MAX_INPLACE_LOB_BYTES);
        }
      } catch (SQLException e) {
        throw failure.create(
            "Cannot open " + lower(label) + " file " + file + ": " + describe(e), e);
      }
      restrictFiles(directory, name, label);
      return new EmbeddedH2(ds, anchor, key, file, label);
    } catch (RuntimeException e) {
      if (anchor != null) {
        closeQuietly(anchor);
      }
      OPEN_FILES.remove(key);
      throw e;
    }
  }

  /**
   * Refuses an H2 version the kill test has not passed, unless the user accepted the risk.
   *
   * @param found the version of the H2 on the classpath, e.g. {@code "2.3.232"}
   * @param allowUntested the value of {@link #ALLOW_UNTESTED_H2_PROPERTY}
   * @param label what the file is, for messages
   * @param failure makes the store's own exception
   * @throws RuntimeException from {@code failure} naming the version found, the versions accepted
   *     and how to pin one, when {@code found} is untested and {@code allowUntested} is false
   */
  static void checkH2Version(
      String found, boolean allowUntested, String label, StoreFailure failure) {
    if (TESTED_H2_VERSIONS.contains(found)) {
      return;
    }
    String pinned = TESTED_H2_VERSIONS.get(TESTED_H2_VERSIONS.size() - 1);
    if (allowUntested) {
      LOG.warn(
          "{}: H2 {} has not passed the SDK's kill -9 test (tested: {}); opening it because {}=true."
              + " Acknowledged messages may be lost on a crash.",
          label,
          found,
          TESTED_H2_VERSIONS,
          ALLOW_UNTESTED_H2_PROPERTY);
      return;
    }
    throw failure.create(
        label
            + ": H2 "
            + found
            + " is on the classpath, but the embedded store accepts only the H2 versions its kill -9"
            + " test passed: "
            + TESTED_H2_VERSIONS
            + " (an untested H2 may lose acknowledged messages on a crash). Pin one: in a Spring Boot"
            + " application put <h2.version>"
            + pinned
            + "</h2.version> in the pom's <properties> (Gradle: ext['h2.version'] = '"
            + pinned
            + "'); elsewhere depend on com.h2database:h2:"
            + pinned
            + ". To accept the risk instead, start the JVM with -D"
            + ALLOW_UNTESTED_H2_PROPERTY
            + "=true.",
        null);
  }

  /**
   * The data source of the file; every connection shares the open database.
   *
   * @return the data source
   */
  public JdbcDataSource dataSource() {
    return dataSource;
  }

  /**
   * The {@code .mv.db} file.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * Runs {@code SHUTDOWN}, closes the anchor and releases the file for a later open. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      try (Statement s = anchor.createStatement()) {
        s.execute("SHUTDOWN");
      } catch (SQLException e) {
        LOG.warn("{} {}: SHUTDOWN failed", label, file, e);
      }
      closeQuietly(anchor);
    } finally {
      OPEN_FILES.remove(key);
    }
  }

  /**
   * SQL error text with a hint for the failures an operator can fix.
   *
   * @param e the error
   * @return code, state, message and hint
   */
  public static String describe(SQLException e) {
    String hint = "";
    switch (e.getErrorCode()) {
      case 90020: // DATABASE_ALREADY_OPEN_1
        hint = " (the file is in use by another process; one process per store file)";
        break;
      case 90030: // FILE_CORRUPTED_1
      case 90048: // FILE_VERSION_ERROR_1
        hint = " (the file is corrupt or not an H2 2.x store; move it aside to keep its data)";
        break;
      case 90097: // DATABASE_IS_READ_ONLY
        hint = " (the file or directory is read-only)";
        break;
      default:
        break;
    }
    return "SQL error " + e.getErrorCode() + "/" + e.getSQLState() + ": " + e.getMessage() + hint;
  }

  private static String lower(String label) {
    return label.isEmpty() ? label : Character.toLowerCase(label.charAt(0)) + label.substring(1);
  }

  private static void prepareDirectory(Path dir, String label, StoreFailure failure) {
    try {
      if (!Files.isDirectory(dir)) {
        try {
          if (isPosix(dir)) {
            Files.createDirectories(
                dir,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // createDirectories applies the umask; set the mode explicitly.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
          } else {
            Files.createDirectories(dir);
          }
        } catch (FileAlreadyExistsException e) {
          throw failure.create(label + " directory " + dir + " exists and is not a directory", e);
        }
      } else if (isPosix(dir)) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
        if (perms.stream()
            .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
          // An existing directory is the operator's: warn rather than change it.
          LOG.warn(
              "{} directory {} is accessible to group/others ({}); 0700 is advised",
              label,
              dir,
              PosixFilePermissions.toString(perms));
        }
      }
    } catch (IOException e) {
      throw failure.create("Cannot create " + lower(label) + " directory " + dir, e);
    }
    if (!Files.isWritable(dir)) {
      throw failure.create(label + " directory " + dir + " is not writable by this process", null);
    }
  }

  private static boolean isPosix(Path p) {
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null
        && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void restrictFiles(Path dir, String name, String label) {
    if (!isPosix(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, name + ".*")) {
      for (Path f : files) {
        if (Files.isRegularFile(f)) {
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("{} {}: cannot set file permissions to 0600", label, dir, e);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("closing a store connection failed", e);
    }
  }
}
