package io.reliablemq.relay.tool;

import io.reliablemq.ReliableMQException;
import io.reliablemq.client.ClientSettings;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.relay.BacklogRelay;
import io.reliablemq.relay.RelayConfig;
import io.reliablemq.relay.RelayProgress;
import io.reliablemq.relay.RelayState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;

/**
 * {@code relay --endpoints HOST:PORT --from TOPIC --group GROUP --to TOPIC2 [options]}: relays the
 * backlog of one topic to a wider one until it is drained ({@code --idle-seconds}), until a time
 * ({@code --until}), or until the process is stopped (SIGTERM or Ctrl-C stops it cleanly).
 * Credentials come from the environment variables {@code RELIABLEMQ_ACCESS_KEY} and {@code
 * RELIABLEMQ_SECRET_KEY}, never from arguments, which other users can see in the process list.
 */
public final class RelayCommand {
  static final String USAGE =
      String.join(
          "\n",
          "usage: relay --endpoints HOST:PORT --from TOPIC --group GROUP --to TOPIC2 [options]",
          "  --filter EXPR          tag expression on the source topic (default *)",
          "  --idle-seconds N       stop once nothing arrived for N seconds (the source is"
              + " drained)",
          "  --until ISO-TIME       stop receiving at this time, e.g. 2026-01-31T18:00:00Z",
          "  --batch N              messages per receive, 1-32 (default 16)",
          "  --max-in-flight N      copies in flight at once (default 256)",
          "  --invisible-seconds N  source invisibility while a copy is sent, >= 10 (default 60)",
          "  --expect N             the backlog size, to show what remains",
          "  --progress-seconds N   how often progress is printed (default 10)",
          "  --namespace NS         the RocketMQ namespace",
          "  --tls true|false       TLS to the proxy (default true)",
          "credentials: RELIABLEMQ_ACCESS_KEY and RELIABLEMQ_SECRET_KEY in the environment");

  private static final Set<String> OPTIONS =
      Set.of(
          "--endpoints",
          "--from",
          "--group",
          "--to",
          "--filter",
          "--idle-seconds",
          "--until",
          "--batch",
          "--max-in-flight",
          "--invisible-seconds",
          "--expect",
          "--progress-seconds",
          "--namespace",
          "--tls");

  private RelayCommand() {}

  /** What the command line asked for. */
  record Parsed(RelayConfig config, Duration progressEvery) {}

  /**
   * Parses the arguments after {@code relay}, before any I/O.
   *
   * @param args the arguments
   * @param env the environment, for credentials
   * @return the relay configuration
   * @throws IllegalArgumentException with a message naming the bad option
   */
  static Parsed parse(List<String> args, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      if (!OPTIONS.contains(option)) {
        throw new IllegalArgumentException("unknown option " + option);
      }
      if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      if (values.put(option, args.get(++i)) != null) {
        throw new IllegalArgumentException(option + " given twice");
      }
    }
    for (String required : List.of("--endpoints", "--from", "--group", "--to")) {
      if (!values.containsKey(required)) {
        throw new IllegalArgumentException(required + " is required");
      }
    }
    ClientSettings.Builder client =
        ClientSettings.custom()
            .endpoints(values.get("--endpoints"))
            .sslEnabled(bool(values.getOrDefault("--tls", "true")));
    if (values.containsKey("--namespace")) {
      client.namespace(values.get("--namespace"));
    }
    String ak = env.get("RELIABLEMQ_ACCESS_KEY");
    String sk = env.get("RELIABLEMQ_SECRET_KEY");
    if ((ak == null) != (sk == null)) {
      throw new IllegalArgumentException(
          "RELIABLEMQ_ACCESS_KEY and RELIABLEMQ_SECRET_KEY must be set together");
    }
    if (ak != null) {
      client.credentialsProvider(new StaticSessionCredentialsProvider(ak, sk));
    }
    RelayConfig.Builder b =
        RelayConfig.custom(
            client.build(), values.get("--from"), values.get("--group"), values.get("--to"));
    if (values.containsKey("--filter")) {
      b.filterExpression(values.get("--filter"));
    }
    if (values.containsKey("--idle-seconds")) {
      b.idleTimeout(Duration.ofSeconds(number(values, "--idle-seconds", 1, 86_400)));
    }
    if (values.containsKey("--until")) {
      b.until(instant(values.get("--until")));
    }
    if (values.containsKey("--batch")) {
      b.batchSize((int) number(values, "--batch", 1, RelayConfig.MAX_BATCH_SIZE));
    }
    if (values.containsKey("--max-in-flight")) {
      b.maxInFlight((int) number(values, "--max-in-flight", 1, 10_000));
    }
    if (values.containsKey("--invisible-seconds")) {
      b.invisibleDuration(Duration.ofSeconds(number(values, "--invisible-seconds", 10, 43_200)));
    }
    if (values.containsKey("--expect")) {
      b.expectedTotal(number(values, "--expect", 0, Long.MAX_VALUE));
    }
    Duration every = Duration.ofSeconds(10);
    if (values.containsKey("--progress-seconds")) {
      every = Duration.ofSeconds(number(values, "--progress-seconds", 1, 3600));
      b.progressInterval(every);
    }
    return new Parsed(b.build(), every);
  }

  private static long number(Map<String, String> values, String option, long min, long max) {
    String text = values.get(option);
    long n;
    try {
      n = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a whole number (was " + text + ")");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          option + " must be between " + min + " and " + max + " (was " + n + ")");
    }
    return n;
  }

  private static boolean bool(String text) {
    if (!text.equals("true") && !text.equals("false")) {
      throw new IllegalArgumentException("--tls must be true or false (was " + text + ")");
    }
    return Boolean.parseBoolean(text);
  }

  private static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--until must be an ISO-8601 time with offset, e.g. 2026-01-31T18:00:00Z (was "
              + text
              + ")");
    }
  }

  /**
   * Runs the relay until it stops.
   *
   * @param args the arguments after {@code relay}
   * @param out where progress goes
   * @param err where errors go
   * @return 0 when the relay stopped (drained, end time, or signal), 1 when it could not start, 2
   *     on bad arguments
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help")) {
      out.println(USAGE);
      return 0;
    }
    Parsed parsed;
    try {
      parsed = parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      err.println("relay: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    RelayConfig config = parsed.config();
    ScheduledExecutorService printer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "relay-progress-printer");
              t.setDaemon(true);
              return t;
            });
    try (ReliableProducer producer =
            ReliableProducer.create(ReliableProducerConfig.ofDefaults(config.client()));
        BacklogRelay relay = BacklogRelay.start(config, producer)) {
      Thread hook = new Thread(relay::close, "relay-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      out.println("relay started: " + config);
      long every = parsed.progressEvery().toMillis();
      printer.scheduleAtFixedRate(
          () -> out.println(relay.progress()), every, every, TimeUnit.MILLISECONDS);
      RelayProgress last = relay.completion().join();
      printer.shutdownNow();
      out.println(last);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running the close.
      }
      return last.state() == RelayState.RUNNING ? 1 : 0;
    } catch (ReliableMQException e) {
      err.println("relay: " + e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause()));
      return 1;
    } finally {
      printer.shutdownNow();
    }
  }
}
