package io.reliablemq.bench;

import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.internal.DedupGuard;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.id.IdGenerator;
import io.reliablemq.internal.MessageValidator;
import io.reliablemq.message.MessageLimits;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ExceptionClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.shaded.io.grpc.Status;
import org.apache.rocketmq.shaded.io.grpc.StatusRuntimeException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * B7: JMH microbenchmarks of the SDK's per-message hot paths that need no broker: validation, id
 * generation, error classification and a dedup hit answered by the Caffeine cache.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPathBenchmarks {
  /** Creates the benchmark; JMH instantiates it. */
  public HotPathBenchmarks() {}

  /** Inputs shared by one benchmark thread. */
  @State(Scope.Thread)
  public static class Inputs {
    final MessageValidator validator = new MessageValidator(MessageLimits.ofDefaults());
    final IdGenerator ids = IdGenerator.uuidV7(Clock.systemUTC());
    final ReliableMessage message =
        ReliableMessage.builder("orders")
            .body(new byte[1024])
            .tag("created")
            .keys("order-42")
            .property("region", "eu")
            .build();
    final Instant now = Instant.now();
    final String id = ids.nextId();
    // How a broker outage reaches the producer: a gRPC status wrapped by a future.
    final Throwable unavailable =
        new CompletionException(new StatusRuntimeException(Status.UNAVAILABLE));

    /** Creates the inputs; JMH instantiates them. */
    public Inputs() {}
  }

  /** A dedup guard over a real H2 dedup store whose key is already consumed. */
  @State(Scope.Benchmark)
  public static class Dedup {
    Path dir;
    JdbcDedupStore store;
    ScheduledExecutorService scheduler;
    DedupGuard guard;
    ReceivedMessage seen;

    /** Creates the state; JMH instantiates it. */
    public Dedup() {}

    /**
     * Opens the store and consumes the message once, so later calls are cache hits.
     *
     * @throws IOException when the temp directory cannot be made
     */
    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("reliablemq-jmh-dedup");
      store = JdbcDedupStore.h2(DedupStoreConfig.custom().directory(dir).build());
      scheduler = Executors.newSingleThreadScheduledExecutor();
      guard =
          new DedupGuard(DedupConfig.ofDefaults(store), "jmh", "jmh-owner", false, scheduler, null);
      seen =
          ReceivedMessage.builder("orders", "broker-id-1")
              .body(new byte[1024])
              .properties(
                  Map.of(ReliableMessage.ID_PROPERTY, "0190a6f0-0000-7000-8000-000000000001"))
              .build();
      if (guard.process(seen, (key, expiresAt) -> {}) != DedupGuard.Result.SUCCESS) {
        throw new IllegalStateException("the first delivery must run the handler");
      }
    }

    /**
     * Closes the store and removes its files.
     *
     * @throws IOException when the files cannot be removed
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
      scheduler.shutdownNow();
      store.close();
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * Validation of a 1 KiB message with tag, key and one property.
   *
   * @param in the inputs
   * @return the validated message
   */
  @Benchmark
  public ReliableMessage validate(Inputs in) {
    return in.validator.validate(in.message, in.id, in.now);
  }

  /**
   * One UUIDv7 {@code reliablemq_id}.
   *
   * @param in the inputs
   * @return the id
   */
  @Benchmark
  public String idGeneration(Inputs in) {
    return in.ids.nextId();
  }

  /**
   * Classifying a wrapped gRPC UNAVAILABLE.
   *
   * @param in the inputs
   * @return the kind
   */
  @Benchmark
  public ErrorKind classify(Inputs in) {
    return ExceptionClassifier.classify(in.unavailable);
  }

  /**
   * A redelivery answered by the Caffeine cache, no store access.
   *
   * @param d the dedup state
   * @return the result (DUPLICATE)
   */
  @Benchmark
  public DedupGuard.Result dedupCacheHit(Dedup d) {
    return d.guard.process(d.seen, (key, expiresAt) -> {});
  }
}
