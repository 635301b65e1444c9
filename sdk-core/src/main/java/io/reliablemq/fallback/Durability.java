package io.reliablemq.fallback;

/**
 * What a committed {@link FallbackStore#append append} survives. Only the embedded H2 store has a
 * choice: a server database (PostgreSQL, MySQL) fsyncs its own commits per its own settings.
 */
public enum Durability {
  /**
   * The commit is in the operating system's page cache when {@code append} returns (H2 {@code
   * WRITE_DELAY=0}: every commit is written to the file at once). Survives a crash or {@code kill
   * -9} of the application; does <em>not</em> survive a power loss or kernel crash, because H2
   * never fsyncs a commit. The default: it is what a crashing application needs and it costs no
   * fsync.
   */
  PROCESS_CRASH,

  /**
   * Like {@link #PROCESS_CRASH} and additionally {@code CHECKPOINT SYNC} (an fsync of the store
   * file) once per group commit, before any caller of that group is answered. Survives a power loss
   * too, provided the disk honours fsync. Costs one fsync per group commit, not per message.
   */
  POWER_LOSS
}
