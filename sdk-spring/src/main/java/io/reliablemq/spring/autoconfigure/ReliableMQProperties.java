package io.reliablemq.spring.autoconfigure;

import io.reliablemq.fallback.Durability;
import io.reliablemq.spring.internal.CoreConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of ReliableMQ under {@code reliablemq.*}, bound once through its constructor and
 * immutable after. A value left unset (null) takes the core SDK's default (named in its
 * description). The properties validate themselves when bound: the application does not start when
 * one is invalid, and the message names the property. The same type serves both starters: its
 * package ({@code org.springframework.boot.context.properties}) is the same on Boot 3.5 and 4.
 *
 * @param enabled whether ReliableMQ is auto-configured at all
 * @param endpoints endpoints of the RocketMQ 5 proxy, {@code host:port[;host:port...]}; required
 * @param accessKey access key of the RocketMQ 5 ACL; set together with the secret key, or neither
 * @param secretKey secret key of the RocketMQ 5 ACL; never logged
 * @param namespace RocketMQ namespace; empty for none
 * @param requestTimeout timeout of one request to the proxy (one send attempt); positive, at most 1
 *     minute
 * @param sslEnabled whether the connection to the proxy uses TLS; the RocketMQ client trusts any
 *     server certificate: this is encryption without verification
 * @param reconnectProbeInterval how often the endpoints are probed (TCP connect, 20 % jitter) while
 *     a client looks cut off; once the proxy answers, the client is replaced instead of waiting out
 *     gRPC's reconnect backoff; 0 turns it off (core default 300ms)
 * @param retry how sends retry
 * @param circuit the outage detector in front of the broker
 * @param fallback the local store that takes messages while the broker is unreachable
 * @param replay how the fallback store is replayed to the broker
 * @param dedup the dedup store of idempotent listeners
 * @param listener listener containers
 * @param management the Actuator endpoint {@code reliablemq}
 * @param transaction the transactional sender over the application's DataSource
 */
@ConfigurationProperties(prefix = "reliablemq")
public record ReliableMQProperties(
    @DefaultValue("true") boolean enabled,
    String endpoints,
    String accessKey,
    String secretKey,
    @DefaultValue("") String namespace,
    @DefaultValue("3s") Duration requestTimeout,
    @DefaultValue("true") boolean sslEnabled,
    Duration reconnectProbeInterval,
    @DefaultValue Retry retry,
    @DefaultValue Circuit circuit,
    @DefaultValue Fallback fallback,
    @DefaultValue Replay replay,
    @DefaultValue Dedup dedup,
    @DefaultValue Listener listener,
    @DefaultValue Management management,
    @DefaultValue Transaction transaction)
    implements Validator {

  @Override
  public boolean supports(Class<?> clazz) {
    return ReliableMQProperties.class.isAssignableFrom(clazz);
  }

  @Override
  public void validate(Object target, Errors errors) {
    ReliableMQProperties p = (ReliableMQProperties) target;
    if (p.enabled()) {
      CoreConfigs.problems(p).forEach(problem -> errors.reject("reliablemq.invalid", problem));
    }
  }

  /**
   * How sends retry ({@code reliablemq.retry.*}); unset values take the core defaults.
   *
   * @param maxAttempts most attempts of one send, the first included (core default 3)
   * @param initialBackoff backoff before the second attempt (core default 100ms)
   * @param multiplier growth factor of the backoff (core default 2.0)
   * @param maxBackoff longest backoff (core default 2s)
   * @param jitter random share of each backoff, 0 to 1 (core default 0.5)
   * @param totalDeadline deadline of one send, all attempts included (core default 10s)
   */
  public record Retry(
      Integer maxAttempts,
      Duration initialBackoff,
      Double multiplier,
      Duration maxBackoff,
      Double jitter,
      Duration totalDeadline) {}

  /**
   * The circuit in front of the broker ({@code reliablemq.circuit.*}).
   *
   * @param enabled whether the circuit is on (core default true)
   * @param failureRateThreshold failure rate, in percent, that opens the circuit (core default 50)
   * @param slidingWindowSize calls in the sliding window (core default 20)
   * @param minimumNumberOfCalls calls needed before the rate is computed (core default 5)
   * @param waitInOpenState how long the circuit stays open before probing (core default 5s)
   * @param permittedCallsInHalfOpenState probe calls let through when half open (core default 3)
   */
  public record Circuit(
      Boolean enabled,
      Float failureRateThreshold,
      Integer slidingWindowSize,
      Integer minimumNumberOfCalls,
      Duration waitInOpenState,
      Integer permittedCallsInHalfOpenState) {}

  /**
   * The embedded H2 fallback store ({@code reliablemq.fallback.*}).
   *
   * @param enabled whether sends are stored locally while the broker is unreachable
   * @param directory directory of the store file (core default {@code ./reliablemq-fallback})
   * @param name name of the store file, without extension (core default {@code fallback})
   * @param maxRows most entries held (core default 1,000,000)
   * @param maxBytes most body bytes held (core default 1 GiB)
   * @param durability what a stored message survives: PROCESS_CRASH (core default) or POWER_LOSS
   */
  public record Fallback(
      @DefaultValue("true") boolean enabled,
      Path directory,
      String name,
      Long maxRows,
      Long maxBytes,
      Durability durability) {}

  /**
   * Replay of the fallback store ({@code reliablemq.replay.*}).
   *
   * @param enabled whether stored messages are replayed (core default true)
   * @param maxRatePerSecond most replays per second (core default 5000)
   * @param batchSize entries claimed per batch (core default 1024)
   * @param idlePoll poll interval while the store is empty (core default 1s)
   * @param maxBackoff longest wait between replay attempts while the broker stays unreachable (core
   *     default 30s)
   * @param instanceId stable id of this instance (letters, digits, '.', '_', '-'; at most 64): a
   *     restart on a shared store then frees its previous process's claims at once; never shared by
   *     two instances running at once; unset: random per start
   */
  public record Replay(
      Boolean enabled,
      Integer maxRatePerSecond,
      Integer batchSize,
      Duration idlePoll,
      Duration maxBackoff,
      String instanceId) {}

  /**
   * The embedded H2 dedup store ({@code reliablemq.dedup.*}).
   *
   * @param enabled whether the dedup store is created; idempotent listeners need it
   * @param directory directory of the store file (core default {@code ./reliablemq-dedup})
   * @param name name of the store file, without extension (core default {@code dedup})
   * @param ttl how long a consumed key is remembered (core default 24h); checked when the first
   *     idempotent listener starts
   * @param tablePrefix table prefix of the dedup table that {@code transactionalDedup} listeners
   *     create in the application's DataSource: {@code <prefix>_dedup} (core default {@code rmq})
   * @param orderGuardWait longest wait of a FIFO message for its predecessor, the order guard (core
   *     default 3m, 0 turns it off)
   */
  public record Dedup(
      @DefaultValue("true") boolean enabled,
      Path directory,
      String name,
      Duration ttl,
      String tablePrefix,
      Duration orderGuardWait) {}

  /**
   * Listener containers ({@code reliablemq.listener.*}).
   *
   * @param autoStartup whether annotated listeners start with the application context
   * @param startRetryInterval wait between attempts to start a listener while the broker is
   *     unreachable
   * @param shutdownTimeout longest wait for in-flight handlers on shutdown, per listener
   */
  public record Listener(
      @DefaultValue("true") boolean autoStartup,
      @DefaultValue("5s") Duration startRetryInterval,
      @DefaultValue("30s") Duration shutdownTimeout) {}

  /**
   * The Actuator endpoint ({@code reliablemq.management.*}).
   *
   * @param writeOperationsEnabled whether the endpoint's write operations (replay now, unpark,
   *     delete) run
   */
  public record Management(@DefaultValue("false") boolean writeOperationsEnabled) {}

  /**
   * The transactional sender ({@code reliablemq.transaction.*}): off unless enabled, because it
   * creates its log table in the application's database.
   *
   * @param enabled whether a TransactionalSender is created over the application's DataSource
   * @param topics the TRANSACTION topics this application publishes, announced at start for
   *     check-backs
   * @param tablePrefix prefix of the transaction log table (core default {@code rmq})
   * @param gracePeriod age after which a half message without a log row is rolled back (core
   *     default 1 min)
   * @param logRetention how long log rows are kept (core default 1 day)
   * @param outbox outbox mode of the transactional sender
   */
  public record Transaction(
      @DefaultValue("false") boolean enabled,
      List<String> topics,
      String tablePrefix,
      Duration gracePeriod,
      Duration logRetention,
      @DefaultValue Outbox outbox) {
    /** Copies the topics: the properties stay immutable. */
    public Transaction {
      topics = topics == null ? List.of() : List.copyOf(topics);
    }
  }

  /**
   * Outbox mode of the transactional sender ({@code reliablemq.transaction.outbox.*}): when the
   * half message cannot be sent, the message is written to an outbox table in the application's
   * database inside the local transaction, and replayed from there, instead of the send failing.
   *
   * @param enabled whether outbox mode is on: a broker outage no longer fails {@code
   *     sendInTransaction}; the message commits with the local work and is delivered after the
   *     outage
   * @param tablePrefix prefix of the outbox table in the application's database: {@code
   *     <prefix>_fallback} (core default {@code rmq})
   */
  public record Outbox(@DefaultValue("false") boolean enabled, String tablePrefix) {}
}
