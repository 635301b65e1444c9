package io.reliablemq.fallback;

import io.reliablemq.internal.jdbc.StoreNames;
import io.reliablemq.jdbc.SchemaManagement;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a JDBC fallback store. Immutable; build with {@link #custom()} or take {@link
 * #ofDefaults()}. Every setter validates its argument and throws {@link IllegalArgumentException}
 * naming the field and the limit, so a bad value fails at configuration time, before any I/O.
 *
 * <p>The directory and name are the only user text that reaches the embedded H2 URL, and both are
 * validated here; the table prefix is the only user text that reaches SQL, and it is restricted to
 * {@code ^[A-Za-z][A-Za-z0-9_]*$} so it can never carry SQL.
 *
 * <p>How the stored entries are sent again (rate, batch, backoff) is not set here but on the
 * producer, with {@link ReplayConfig}.
 */
public final class FallbackStoreConfig {
  /** Names and prefixes: a letter, then letters, digits and underscores, at most 63 in all. */

  /**
   * Longest table prefix: the longest derived name ({@code <prefix>_fallback_group_idx}, 19 more
   * characters) must still fit PostgreSQL's 63-character identifiers, which silently truncate.
   */
  public static final int MAX_TABLE_PREFIX_LENGTH = 40;

  private static final FallbackStoreConfig DEFAULTS = custom().build();

  private final Path directory;
  private final String name;
  private final String tablePrefix;
  private final Durability durability;
  private final long maxRows;
  private final long maxBytes;
  private final int groupCommitMaxBatch;
  private final Duration groupCommitMaxLinger;
  private final Duration closeTimeout;
  private final SchemaManagement schemaManagement;
  private final Clock clock;

  private FallbackStoreConfig(Builder b) {
    this.directory = b.directory;
    this.name = b.name;
    this.tablePrefix = b.tablePrefix;
    this.durability = b.durability;
    this.maxRows = b.maxRows;
    this.maxBytes = b.maxBytes;
    this.groupCommitMaxBatch = b.groupCommitMaxBatch;
    this.groupCommitMaxLinger = b.groupCommitMaxLinger;
    this.closeTimeout = b.closeTimeout;
    this.schemaManagement = b.schemaManagement;
    this.clock = b.clock;
  }

  /**
   * The defaults: directory {@code ./reliablemq-fallback} (resolved against the working directory
   * when the config is built), name {@code fallback}, prefix {@code rmq}, {@link
   * Durability#PROCESS_CRASH}, 1,000,000 rows, 1 GiB of bodies, group commits of at most 256
   * appends with no linger, a close bound of 10 s, {@link SchemaManagement#AUTO}, the UTC system
   * clock.
   *
   * @return the defaults
   */
  public static FallbackStoreConfig ofDefaults() {
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
   * A builder preloaded with this config's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.directory = directory;
    b.name = name;
    b.tablePrefix = tablePrefix;
    b.durability = durability;
    b.maxRows = maxRows;
    b.maxBytes = maxBytes;
    b.groupCommitMaxBatch = groupCommitMaxBatch;
    b.groupCommitMaxLinger = groupCommitMaxLinger;
    b.closeTimeout = closeTimeout;
    b.schemaManagement = schemaManagement;
    b.clock = clock;
    return b;
  }

  /**
   * The directory of the embedded H2 store file (unused for a shared database).
   *
   * @return an absolute, normalised path
   */
  public Path directory() {
    return directory;
  }

  /**
   * The store name: the H2 file is {@code <directory>/<name>.mv.db}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The table prefix: tables are {@code <prefix>_fallback} and {@code <prefix>_schema_version}.
   *
   * @return the prefix
   */
  public String tablePrefix() {
    return tablePrefix;
  }

  /**
   * What a committed append survives (embedded H2 only).
   *
   * @return the durability mode
   */
  public Durability durability() {
    return durability;
  }

  /**
   * Most entries held; an append beyond it throws {@link FallbackStoreFullException}.
   *
   * @return the row limit
   */
  public long maxRows() {
    return maxRows;
  }

  /**
   * Most body bytes held; an append beyond it throws {@link FallbackStoreFullException}.
   *
   * @return the byte limit
   */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Most appends committed in one transaction.
   *
   * @return the batch limit
   */
  public int groupCommitMaxBatch() {
    return groupCommitMaxBatch;
  }

  /**
   * How long the writer waits for more appends before committing a batch that is not full. Zero
   * commits whatever is queued as soon as the writer is free, which batches under load anyway
   * (appends that arrive during one commit form the next batch) and adds no latency when idle.
   *
   * @return the linger, zero or more
   */
  public Duration groupCommitMaxLinger() {
    return groupCommitMaxLinger;
  }

  /**
   * How long {@code close()} waits for the writer to commit the appends queued before it. An append
   * the writer has not answered by then fails: one still queued as not stored, one whose commit is
   * still running with an exception saying its outcome is unknown.
   *
   * @return the bound
   */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * Whether the store migrates its schema or leaves it to Flyway/Liquibase.
   *
   * @return the schema management mode
   */
  public SchemaManagement schemaManagement() {
    return schemaManagement;
  }

  /**
   * The clock for stored-at times and leases.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "FallbackStoreConfig{directory="
        + directory
        + ", name="
        + name
        + ", tablePrefix="
        + tablePrefix
        + ", durability="
        + durability
        + ", maxRows="
        + maxRows
        + ", maxBytes="
        + maxBytes
        + ", groupCommitMaxBatch="
        + groupCommitMaxBatch
        + ", groupCommitMaxLinger="
        + groupCommitMaxLinger
        + ", closeTimeout="
        + closeTimeout
        + ", schemaManagement="
        + schemaManagement
        + '}';
  }

  /** Builder of {@link FallbackStoreConfig}; every setter validates its argument. */
  public static final class Builder {
    private Path directory;
    private String name = "fallback";
    private String tablePrefix = "rmq";
    private Durability durability = Durability.PROCESS_CRASH;
    private long maxRows = 1_000_000L;
    private long maxBytes = 1L << 30;
    private int groupCommitMaxBatch = 256;
    private Duration groupCommitMaxLinger = Duration.ZERO;
    private Duration closeTimeout = Duration.ofSeconds(10);
    private SchemaManagement schemaManagement = SchemaManagement.AUTO;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the directory of the embedded H2 file; created with mode 0700 if missing.
     *
     * @param directory the directory; its absolute form must not contain {@code ;} or control
     *     characters (they would reach the H2 URL)
     * @return this builder
     */
    public Builder directory(Path directory) {
      this.directory = StoreNames.directory(directory);
      return this;
    }

    /**
     * Sets the store name (the H2 file name without extension).
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
     * @param tablePrefix matching {@code ^[A-Za-z][A-Za-z0-9_]{0,62}$} and at most {@value
     *     #MAX_TABLE_PREFIX_LENGTH} characters
     * @return this builder
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = StoreNames.identifier("tablePrefix", tablePrefix, MAX_TABLE_PREFIX_LENGTH);
      return this;
    }

    /**
     * Sets the durability mode (embedded H2 only).
     *
     * @param durability the mode
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Sets the most entries held.
     *
     * @param maxRows 1 to 1,000,000,000
     * @return this builder
     */
    public Builder maxRows(long maxRows) {
      if (maxRows < 1 || maxRows > 1_000_000_000L) {
        throw new IllegalArgumentException("maxRows must be 1..1000000000, was " + maxRows);
      }
      this.maxRows = maxRows;
      return this;
    }

    /**
     * Sets the most body bytes held.
     *
     * @param maxBytes 1 to 2^40 (1 TiB)
     * @return this builder
     */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes < 1 || maxBytes > (1L << 40)) {
        throw new IllegalArgumentException(
            "maxBytes must be 1.." + (1L << 40) + ", was " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * Sets the most appends per group commit.
     *
     * @param groupCommitMaxBatch 1 to 10,000
     * @return this builder
     */
    public Builder groupCommitMaxBatch(int groupCommitMaxBatch) {
      if (groupCommitMaxBatch < 1 || groupCommitMaxBatch > 10_000) {
        throw new IllegalArgumentException(
            "groupCommitMaxBatch must be 1..10000, was " + groupCommitMaxBatch);
      }
      this.groupCommitMaxBatch = groupCommitMaxBatch;
      return this;
    }

    /**
     * Sets how long the writer waits for more appends before committing a partial batch.
     *
     * @param groupCommitMaxLinger 0 to 1 s
     * @return this builder
     */
    public Builder groupCommitMaxLinger(Duration groupCommitMaxLinger) {
      Objects.requireNonNull(groupCommitMaxLinger, "groupCommitMaxLinger");
      if (groupCommitMaxLinger.isNegative()
          || groupCommitMaxLinger.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException(
            "groupCommitMaxLinger must be 0..1s, was " + groupCommitMaxLinger);
      }
      this.groupCommitMaxLinger = groupCommitMaxLinger;
      return this;
    }

    /**
     * Sets how long {@code close()} waits for the queued appends to commit.
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
     * Sets the clock (tests use a controllable one for lease expiry).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     */
    public FallbackStoreConfig build() {
      if (directory == null) {
        directory(Path.of("reliablemq-fallback"));
      }
      return new FallbackStoreConfig(this);
    }
  }
}
