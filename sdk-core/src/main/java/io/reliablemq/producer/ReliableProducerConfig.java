package io.reliablemq.producer;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.id.IdGenerator;
import io.reliablemq.message.MessageLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link ReliableProducer} needs: how to reach the proxy, how to retry, which limits
 * to validate against, and the clock and id generator. Immutable; build with {@link
 * #custom(ClientSettings)}.
 */
public final class ReliableProducerConfig {
  private static final Duration MAX_CLOSE_DRAIN_TIME = Duration.ofMinutes(10);

  private final ClientSettings client;
  private final SendRetryConfig retry;
  private final MessageLimits limits;
  private final Clock clock;
  private final IdGenerator idGenerator;
  private final FallbackStore fallbackStore;
  private final CircuitConfig circuit;
  private final ReplayConfig replay;
  private final TransactionCheck transactionCheck;
  private final Duration closeDrainTime;
  private final List<ReliableProducerListener> listeners;

  private ReliableProducerConfig(Builder b) {
    this.listeners = List.copyOf(b.listeners);
    this.closeDrainTime = b.closeDrainTime;
    this.transactionCheck = b.transactionCheck;
    this.fallbackStore = b.fallbackStore;
    this.circuit = b.circuit;
    this.replay = b.replay;
    this.client = b.client;
    this.retry = b.retry;
    this.limits = b.limits;
    this.clock = b.clock;
    this.idGenerator = b.idGenerator != null ? b.idGenerator : IdGenerator.uuidV7(b.clock);
  }

  /**
   * A config with defaults for everything but the client settings.
   *
   * @param client how to reach the proxy
   * @return the config
   */
  public static ReliableProducerConfig ofDefaults(ClientSettings client) {
    return custom(client).build();
  }

  /**
   * Starts a builder.
   *
   * @param client how to reach the proxy
   * @return a builder at the defaults
   */
  public static Builder custom(ClientSettings client) {
    return new Builder(client);
  }

  /**
   * How to reach the proxy.
   *
   * @return the client settings
   */
  public ClientSettings client() {
    return client;
  }

  /**
   * How sends retry.
   *
   * @return the retry config
   */
  public SendRetryConfig retry() {
    return retry;
  }

  /**
   * Limits validated before any I/O.
   *
   * @return the limits
   */
  public MessageLimits limits() {
    return limits;
  }

  /**
   * The time source (delivery times, ids).
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * The logical id generator.
   *
   * @return the generator
   */
  public IdGenerator idGenerator() {
    return idGenerator;
  }

  /**
   * The local fallback store that takes messages the broker cannot: with one, {@code send} returns
   * {@code STORED} instead of throwing when the MQ is unreachable. The producer does not own it and
   * does not close it.
   *
   * @return the store, if configured
   */
  public Optional<FallbackStore> fallbackStore() {
    return Optional.ofNullable(fallbackStore);
  }

  /**
   * The outage detector.
   *
   * @return the circuit config
   */
  public CircuitConfig circuit() {
    return circuit;
  }

  /**
   * How the fallback store is replayed.
   *
   * @return the replay config
   */
  public ReplayConfig replay() {
    return replay;
  }

  /**
   * The check that answers the broker's check-backs for transactional messages this producer's
   * client is asked about, after the producer's own answer for ids still in its fallback store
   * (COMMIT). Without one, every other check-back is answered UNKNOWN.
   *
   * @return the check, if configured
   */
  public Optional<TransactionCheck> transactionCheck() {
    return Optional.ofNullable(transactionCheck);
  }

  /**
   * How long {@link ReliableProducer#close()} lets in-flight sends finish: a send waiting on a
   * backoff is stored at once, an attempt the broker has not answered yet gets until this time runs
   * out, and is then stored without its answer (the broker may still have taken it: the replay then
   * delivers it a second time under the same {@code reliablemq_id}). Without a store those attempts
   * fail with {@link SendFailedException}.
   *
   * @return the drain time, 10 s by default
   */
  public Duration closeDrainTime() {
    return closeDrainTime;
  }

  /**
   * The listeners told of every send's outcome, replayed entries and circuit transitions.
   *
   * @return the listeners in registration order, immutable, empty by default
   */
  public List<ReliableProducerListener> listeners() {
    return listeners;
  }

  /** Builder of {@link ReliableProducerConfig}. */
  public static final class Builder {
    private final ClientSettings client;
    private SendRetryConfig retry = SendRetryConfig.ofDefaults();
    private MessageLimits limits = MessageLimits.ofDefaults();
    private Clock clock = Clock.systemUTC();
    private IdGenerator idGenerator;
    private FallbackStore fallbackStore;
    private CircuitConfig circuit = CircuitConfig.ofDefaults();
    private ReplayConfig replay = ReplayConfig.ofDefaults();
    private TransactionCheck transactionCheck;
    private Duration closeDrainTime = Duration.ofSeconds(10);
    private final List<ReliableProducerListener> listeners = new ArrayList<>();

    private Builder(ClientSettings client) {
      this.client = Objects.requireNonNull(client, "client settings must not be null");
    }

    /**
     * Sets the retry config.
     *
     * @param retry the config
     * @return this builder
     */
    public Builder retry(SendRetryConfig retry) {
      this.retry = Objects.requireNonNull(retry, "retry must not be null");
      return this;
    }

    /**
     * Sets the message limits.
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder limits(MessageLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits must not be null");
      return this;
    }

    /**
     * Sets the clock.
     *
     * @param clock the time source
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Sets the id generator (default: UUIDv7 over the clock).
     *
     * @param idGenerator the generator
     * @return this builder
     */
    public Builder idGenerator(IdGenerator idGenerator) {
      this.idGenerator = Objects.requireNonNull(idGenerator, "idGenerator must not be null");
      return this;
    }

    /**
     * Sets the fallback store.
     *
     * @param fallbackStore the store, or null for none (sends then throw when the MQ is down)
     * @return this builder
     */
    public Builder fallbackStore(FallbackStore fallbackStore) {
      this.fallbackStore = fallbackStore;
      return this;
    }

    /**
     * Sets the circuit config.
     *
     * @param circuit the config
     * @return this builder
     */
    public Builder circuit(CircuitConfig circuit) {
      this.circuit = Objects.requireNonNull(circuit, "circuit must not be null");
      return this;
    }

    /**
     * Sets the replay config.
     *
     * @param replay the config
     * @return this builder
     */
    public Builder replay(ReplayConfig replay) {
      this.replay = Objects.requireNonNull(replay, "replay must not be null");
      return this;
    }

    /**
     * Sets the transaction check. A RocketMQ 5 client has one checker and the proxy may route a
     * check-back to any client of the process publishing the topic, so a producer sharing topics
     * with a {@link io.reliablemq.transaction.TransactionalSender} must get {@link
     * io.reliablemq.transaction.TransactionalSender#transactionCheck()} here.
     *
     * @param check the check, or null for none
     * @return this builder
     */
    public Builder transactionCheck(TransactionCheck check) {
      this.transactionCheck = check;
      return this;
    }

    /**
     * Sets how long {@link ReliableProducer#close()} lets in-flight sends finish ({@link
     * ReliableProducerConfig#closeDrainTime()}).
     *
     * @param closeDrainTime 0 (store every in-flight send at once) to 10 minutes
     * @return this builder
     * @throws IllegalArgumentException when negative or above 10 minutes
     */
    public Builder closeDrainTime(Duration closeDrainTime) {
      Objects.requireNonNull(closeDrainTime, "closeDrainTime must not be null");
      if (closeDrainTime.isNegative() || closeDrainTime.compareTo(MAX_CLOSE_DRAIN_TIME) > 0) {
        throw new IllegalArgumentException(
            "closeDrainTime must be 0..10 minutes, was " + closeDrainTime);
      }
      this.closeDrainTime = closeDrainTime;
      return this;
    }

    /**
     * Adds a listener ({@link ReliableProducerListener}); listeners are called in the order they
     * were added.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(ReliableProducerListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
      return this;
    }

    /**
     * Builds the config.
     *
     * @return immutable config
     */
    public ReliableProducerConfig build() {
      return new ReliableProducerConfig(this);
    }
  }
}
