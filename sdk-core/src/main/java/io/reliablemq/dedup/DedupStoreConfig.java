package io.reliablemq.dedup;

import io.reliablemq.internal.jdbc.StoreNames;
import io.reliablemq.jdbc.SchemaManagement;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a JDBC dedup store. Immutable; build with {@link #custom()} or take {@link
 * #ofDefaults()}. Setters validate and throw {@link IllegalArgumentException} naming the field and
 * the limit, before any I/O. The directory and name are the only user text reaching the embedded H2
 * URL and the table prefix the only user text reaching SQL; all three are validated here.
 *
 * <p>The embedded file is opened with the same durable settings as the fallback store ({@code
 * WRITE_DELAY=0}: a committed mark survives {@code kill -9} of the application, not a power loss,
 * because H2 never fsyncs a commit). Losing a mark costs at most one repeated processing of that
 * message; use a shared server database for power-loss durability.
 *
 * <p><b>Not to be confused with</b> {@link io.reliablemq.consumer.DedupConfig}: this class is the
 * store's storage (where the file lives, its name, the table prefix, purging), given to {@code
 * JdbcDedupStore.h2} or {@code JdbcDedupStore.create}; {@code DedupConfig} is how a consumer dedups
 * over that store (TTL, lease, cache, key, order guard), given to the consumer's config.
 */
public final class DedupStoreConfig {

  /**
   * Longest table prefix: the longest derived name ({@code <prefix>_dedup_expiry_idx}) must fit
   * PostgreSQL's 63-character identifiers, which silently truncate.
   */
  public static final int MAX_TABLE_PREFIX_LENGTH = 40;

  /** The most records one purge statement deletes, at most. */
  public static final int MAX_PURGE_BATCH_SIZE = 100_000;

  private static final DedupStoreConfig DEFAULTS = custom().build();

  private final Path directory;
  private final String name;
  private final String tablePrefix;
  private final SchemaManagement schemaManagement;
  private final int purgeBatchSize;
  private final Duration closeTimeout;
  private final Clock clock;

  private DedupStoreConfig(Builder b) {
    this.clock = b.clock;
    this.purgeBatchSize = b.purgeBatchSize;
    this.closeTimeout = b.closeTimeout;
    this.directory = b.directory;
    this.name = b.name;
    this.tablePrefix = b.tablePrefix;
    this.schemaManagement = b.schemaManagement;
  }

  /**
   * The defaults: directory {@code ./reliablemq-dedup} (resolved when built), name {@code dedup},
   * prefix {@code rmq}, {@link SchemaManagement#AUTO}, purge batches of 1,000 records, a close
   * bound of 10 s, the UTC system clock.
   *
   * @return the defaults
   */
  public static DedupStoreConfig ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder at the defaults.
   *
   * @return a builder
   */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * The directory of the embedded H2 file (unused for a shared database).
   *
   * @return an absolute, normalised path
   */
  public Path directory() {
    return directory;
  }

  /**
   * The file name without extension: {@code <directory>/<name>.mv.db}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The table prefix: tables {@code <prefix>_dedup} and {@code <prefix>_schema_version} (shared
   * with the fallback store, keyed by component).
   *
   * @return the prefix
   */
  public String tablePrefix() {
    return tablePrefix;
  }

  /**
   * Whether the store migrates its schema or leaves it to Flyway/Liquibase.
   *
   * @return the mode
   */
  public SchemaManagement schemaManagement() {
    return schemaManagement;
  }

  /**
   * The most records one purge statement deletes; a purge runs such statements, each its own short
   * transaction, until none is left.
   *
   * @return the batch size
   */
  public int purgeBatchSize() {
    return purgeBatchSize;
  }

  /**
   * How long {@code close()} waits for the writer to commit the claims and marks queued before it;
   * one it has not answered by then fails with a {@link DedupStoreException}.
   *
   * @return the bound
   */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * The clock of the {@code updated_at} audit column. Claims, leases and expiry compare the times
   * the caller passes in, never this clock.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "DedupStoreConfig{directory="
        + directory
        + ", name="
        + name
        + ", tablePrefix="
        + tablePrefix
        + ", schemaManagement="
        + schemaManagement
        + ", purgeBatchSize="
        + purgeBatchSize
        + ", closeTimeout="
        + closeTimeout
        + '}';
  }

  /** Builder of {@link DedupStoreConfig}; every setter validates its argument. */
  public static final class Builder {
    private Path directory;
    private String name = "dedup";
    private String tablePrefix = "rmq";
    private SchemaManagement schemaManagement = SchemaManagement.AUTO;
    private int purgeBatchSize = 1_000;
    private Duration closeTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the clock of the {@code updated_at} audit column.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the directory of the embedded H2 file; created with mode 0700 if missing.
     *
     * @param directory its absolute form must not contain {@code ;} or control characters
     * @return this builder
     */
    public Builder directory(Path directory) {
      this.directory = StoreNames.directory(directory);
      return this;
    }

    /**
     * Sets the file name.
     *
     * @param name matching {@code ^[A-Za-z][A-Za-z0-9_]{0,62}$}
     * @return this builder
     */
    public Builder name(String name) {
      this.name = StoreNames.identifier("name", name, 63);
      return this;
    }

    /**
     * Sets the table prefix.
     *
     * @param tablePrefix matching {@code ^[A-Za-z][A-Za-z0-9_]{0,62}$}, at most {@value
     *     #MAX_TABLE_PREFIX_LENGTH} characters
     * @return this builder
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = StoreNames.identifier("tablePrefix", tablePrefix, MAX_TABLE_PREFIX_LENGTH);
      return this;
    }

    /**
     * Sets who manages the schema.
     *
     * @param schemaManagement AUTO or NONE
     * @return this builder
     */
    public Builder schemaManagement(SchemaManagement schemaManagement) {
      this.schemaManagement = Objects.requireNonNull(schemaManagement, "schemaManagement");
      return this;
    }

    /**
     * Sets the most records one purge statement deletes.
     *
     * @param purgeBatchSize 1 to {@value #MAX_PURGE_BATCH_SIZE}
     * @return this builder
     */
    public Builder purgeBatchSize(int purgeBatchSize) {
      if (purgeBatchSize < 1 || purgeBatchSize > MAX_PURGE_BATCH_SIZE) {
        throw new IllegalArgumentException(
            "purgeBatchSize must be 1.." + MAX_PURGE_BATCH_SIZE + ", was " + purgeBatchSize);
      }
      this.purgeBatchSize = purgeBatchSize;
      return this;
    }

    /**
     * Sets how long {@code close()} waits for the queued claims and marks to commit.
     *
     * @param closeTimeout more than 0, at most 10 min
     * @return this builder
     */
    public Builder closeTimeout(Duration closeTimeout) {
      Objects.requireNonNull(closeTimeout, "closeTimeout");
      if (closeTimeout.isNegative()
          || closeTimeout.isZero()
          || closeTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "closeTimeout must be more than 0 and at most 10min, was " + closeTimeout);
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     */
    public DedupStoreConfig build() {
      if (directory == null) {
        directory(Path.of("reliablemq-dedup"));
      }
      return new DedupStoreConfig(this);
    }
  }
}
