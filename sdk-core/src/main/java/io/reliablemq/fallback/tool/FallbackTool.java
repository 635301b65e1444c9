package io.reliablemq.fallback.tool;

import io.reliablemq.ReliableMQException;
import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.EntrySummary;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.fallback.jdbc.H2Dialect;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * {@code java -jar reliablemq-core-<version>-fallback-tool.jar --store DIR [--name NAME] [--prefix
 * PREFIX] count|list [N]|blocked [N]|unpark ID|delete ID|ddl}.
 *
 * <p>{@code blocked} lists the FIFO message groups a parked entry blocks (later entries of a group
 * never pass its parked entry): unpark the entry once its cause is fixed, or delete it when it must
 * never be delivered, and the group drains in order.
 *
 * <p>Works on the H2 store file of a <em>stopped</em> application: H2 allows one process per file,
 * so while the application runs the tool fails with a clear "locked" message (use the Actuator
 * endpoint or {@code ReliableProducer.fallback()} then). Never prints bodies or property values.
 */
public final class FallbackTool {
  private static final String USAGE =
      "usage: fallback-tool --store DIR [--name NAME] [--prefix PREFIX] "
          + "count | list [N] | blocked [N] | unpark ID | delete ID | ddl";

  private FallbackTool() {}

  /**
   * Runs the tool and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the tool.
   *
   * @param args the command line
   * @param out where results go
   * @param err where errors go
   * @return 0 on success, 1 when the entry was not found, 2 on bad usage or a store error
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Deque<String> rest = new ArrayDeque<>(List.of(args));
    FallbackStoreConfig.Builder config = FallbackStoreConfig.custom();
    String prefix = FallbackStoreConfig.ofDefaults().tablePrefix();
    boolean storeGiven = false;
    try {
      while (!rest.isEmpty() && rest.peekFirst().startsWith("--")) {
        String option = rest.pollFirst();
        String value = rest.pollFirst();
        if (value == null) {
          err.println(option + " needs a value\n" + USAGE);
          return 2;
        }
        switch (option) {
          case "--store":
            config.directory(Path.of(value));
            storeGiven = true;
            break;
          case "--name":
            config.name(value);
            break;
          case "--prefix":
            config.tablePrefix(value);
            prefix = value;
            break;
          default:
            err.println("unknown option " + option + "\n" + USAGE);
            return 2;
        }
      }
      String command = rest.pollFirst();
      if (command == null) {
        err.println(USAGE);
        return 2;
      }
      if (command.equals("ddl")) {
        out.print(JdbcFallbackStore.ddl(H2Dialect.INSTANCE, prefix));
        return 0;
      }
      if (!List.of("count", "list", "blocked", "unpark", "delete").contains(command)) {
        err.println("unknown command " + command + "\n" + USAGE);
        return 2;
      }
      if (!storeGiven) {
        err.println("--store is required\n" + USAGE);
        return 2;
      }
      FallbackStoreConfig storeConfig = config.build();
      Path file = storeConfig.directory().resolve(storeConfig.name() + ".mv.db");
      if (!Files.exists(file)) {
        // Opening would create an empty store: a typo in --store must not look like "0 entries".
        err.println("fallback-tool: no store at " + file.toAbsolutePath());
        return 2;
      }
      try (JdbcFallbackStore store = JdbcFallbackStore.h2(storeConfig)) {
        switch (command) {
          case "count":
            out.printf(
                "entries %d (pending %d, parked %d)%n",
                store.count(), store.count(EntryState.PENDING), store.count(EntryState.PARKED));
            store
                .oldestStoredAt()
                .ifPresent(
                    t ->
                        out.printf(
                            "oldest stored at %s (%s ago)%n",
                            t, Duration.between(t, Instant.now()).withNanos(0)));
            return 0;
          case "list":
            int limit = rest.isEmpty() ? 50 : Integer.parseInt(rest.pollFirst());
            out.println(
                "sequence\tid\ttopic\tgroup\tstate\tattempts\tstoredAt\tbodyBytes\tlastError");
            for (StoredEntry entry : store.list(0, limit)) {
              EntrySummary e = EntrySummary.of(entry);
              out.printf(
                  "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%s%n",
                  e.sequence(),
                  e.id(),
                  e.topic(),
                  e.messageGroup().orElse("-"),
                  e.state(),
                  e.attempts(),
                  e.storedAt(),
                  e.bodyBytes(),
                  e.lastError().orElse("-"));
            }
            return 0;
          case "blocked":
            int groups = rest.isEmpty() ? 50 : Integer.parseInt(rest.pollFirst());
            out.println("topic\tgroup\tparkedEntryId\tentriesWaiting\tlastError");
            for (BlockedGroup g : store.blockedGroups(groups)) {
              out.printf(
                  "%s\t%s\t%s\t%d\t%s%n",
                  g.topic(),
                  g.messageGroup(),
                  g.parkedEntryId(),
                  g.entriesWaiting(),
                  g.lastError().orElse("-"));
            }
            return 0;
          case "unpark":
            return report(out, store.unpark(required(rest, "unpark")), "unparked");
          case "delete":
            return report(out, store.delete(required(rest, "delete")), "deleted");
          default:
            err.println("unknown command " + command + "\n" + USAGE);
            return 2;
        }
      }
    } catch (IllegalArgumentException | ReliableMQException e) {
      err.println("fallback-tool: " + e.getMessage());
      return 2;
    }
  }

  private static String required(Deque<String> rest, String command) {
    String id = rest.pollFirst();
    if (id == null) {
      throw new IllegalArgumentException(command + " needs an entry id\n" + USAGE);
    }
    return id;
  }

  private static int report(PrintStream out, boolean done, String what) {
    out.println(done ? what : "no such entry");
    return done ? 0 : 1;
  }
}
