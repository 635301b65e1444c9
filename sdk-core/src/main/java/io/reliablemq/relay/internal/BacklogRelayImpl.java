package io.reliablemq.relay.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reliablemq.ReliableMQException;
import io.reliablemq.consumer.ReceivedMessage;
import io.reliablemq.consumer.internal.ReliableConsumerImpl;
import io.reliablemq.internal.BoundedClose;
import io.reliablemq.internal.ClientSupport;
import io.reliablemq.internal.EndpointWatcher;
import io.reliablemq.message.ReliableMessage;
import io.reliablemq.producer.ErrorKind;
import io.reliablemq.producer.ExceptionClassifier;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.SendOutcome;
import io.reliablemq.producer.SendStatus;
import io.reliablemq.relay.BacklogRelay;
import io.reliablemq.relay.RelayConfig;
import io.reliablemq.relay.RelayProgress;
import io.reliablemq.relay.RelayState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BacklogRelay} over the client's {@link SimpleConsumer}: one thread receives batches, each
 * message becomes a {@link GroupSequencer} step that sends the copy asynchronously and acks the
 * source message once the copy is SENT or STORED.
 *
 * <p>After a batch holding grouped (FIFO) messages the receiver waits until that batch is done
 * before it receives again: the broker hands out the next messages of an ordered queue only after
 * the previous ones were acknowledged, so receiving earlier would only wait out the long poll.
 */
public final class BacklogRelayImpl implements BacklogRelay {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogRelayImpl.class);
  private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration RECEIVE_ERROR_BACKOFF = Duration.ofSeconds(1);
  private static final String METER = "reliablemq.relay.messages";

  private final RelayConfig config;
  private final ReliableProducer producer;
  // Replaced by the receiver thread when the proxy is back but the client still fails (see
  // afterReceiveFailure); acks use whichever is current, the receipt handle is the broker's.
  private volatile SimpleConsumer consumer;
  private final ConsumerFactory factory;
  private final EndpointWatcher endpoints;
  private final java.util.concurrent.atomic.AtomicLong replacements =
      new java.util.concurrent.atomic.AtomicLong();
  private long lastRebuild;
  private boolean rebuiltOnce;
  private final GroupSequencer sequencer = new GroupSequencer();
  private final Semaphore permits;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object drainLock = new Object();
  private final LongAdder sent = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder ackFailed = new LongAdder();
  private final Map<String, Counter> counters;
  private final Instant startedAt;
  private final CompletableFuture<RelayProgress> completion = new CompletableFuture<>();
  private final ScheduledExecutorService progressLog;
  private final Thread receiver;
  private volatile Instant lastReceivedAt;
  private volatile boolean stopRequested;
  private volatile RelayState state = RelayState.RUNNING;

  /** Builds the relay's simple consumer; a seam for unit tests with a fake client. */
  @FunctionalInterface
  interface ConsumerFactory {
    SimpleConsumer create() throws ClientException;
  }

  private BacklogRelayImpl(
      RelayConfig config,
      ReliableProducer producer,
      SimpleConsumer consumer,
      ConsumerFactory factory) {
    this.config = config;
    this.factory = factory;
    this.endpoints =
        new EndpointWatcher(
            "relay-" + config.consumerGroup(),
            config.client().endpoints(),
            config.client().reconnectProbeInterval(),
            new EndpointWatcher.Policy() {
              @Override
              public boolean shouldProbe() {
                return false;
              }

              @Override
              public void onProbe(boolean reachable) {}
            });
    this.producer = producer;
    this.consumer = consumer;
    this.permits = new Semaphore(config.maxInFlight());
    this.counters = config.meterRegistry().map(this::counters).orElse(Map.of());
    this.startedAt = config.clock().instant();
    this.lastReceivedAt = startedAt;
    this.progressLog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "reliablemq-relay-progress-" + config.consumerGroup());
              t.setDaemon(true);
              return t;
            });
    this.receiver = new Thread(this::receiveLoop, "reliablemq-relay-" + config.consumerGroup());
    this.receiver.setDaemon(true);
  }

  /**
   * Starts a relay.
   *
   * @param config the configuration
   * @param producer the producer for the copies
   * @return the running relay
   */
  public static BacklogRelayImpl start(RelayConfig config, ReliableProducer producer) {
    Objects.requireNonNull(config, "config");
    return start(config, producer, () -> buildConsumer(config));
  }

  private static SimpleConsumer buildConsumer(RelayConfig config) throws ClientException {
    return ClientServiceProvider.loadService()
        .newSimpleConsumerBuilder()
        .setClientConfiguration(ClientSupport.clientConfiguration(config.client()))
        .setConsumerGroup(config.consumerGroup())
        .setAwaitDuration(config.pollTimeout())
        .setSubscriptionExpressions(
            Map.of(
                config.sourceTopic(),
                new FilterExpression(config.filterExpression(), FilterExpressionType.TAG)))
        .build();
  }

  static BacklogRelayImpl start(
      RelayConfig config, ReliableProducer producer, ConsumerFactory factory) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(producer, "producer");
    SimpleConsumer consumer;
    try {
      consumer = factory.create();
    } catch (ClientException | RuntimeException e) {
      throw new ReliableMQException(
          "Cannot start the relay's consumer on topic "
              + config.sourceTopic()
              + " for group "
              + config.consumerGroup(),
          e);
    }
    BacklogRelayImpl relay = new BacklogRelayImpl(config, producer, consumer, factory);
    long every = config.progressInterval().toMillis();
    relay.progressLog.scheduleAtFixedRate(
        () -> LOG.info("{}", relay.progress()), every, every, TimeUnit.MILLISECONDS);
    relay.receiver.start();
    LOG.info("Relay started: {}", config);
    return relay;
  }

  private Map<String, Counter> counters(MeterRegistry registry) {
    return Map.of(
        "sent", counter(registry, "sent"),
        "stored", counter(registry, "stored"),
        "failed", counter(registry, "failed"),
        "ack_failed", counter(registry, "ack_failed"));
  }

  private Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder(METER)
        .description("Messages relayed from a source topic to a target topic, by outcome")
        .tag("source", config.sourceTopic())
        .tag("target", config.targetTopic())
        .tag("group", config.consumerGroup())
        .tag("outcome", outcome)
        .register(registry);
  }

  private void count(String outcome, LongAdder adder) {
    adder.increment();
    Counter c = counters.get(outcome);
    if (c != null) {
      c.increment();
    }
  }

  private void receiveLoop() {
    RelayState reason = RelayState.CLOSED;
    boolean lastBatchOrdered = false;
    try {
      while (!stopRequested) {
        Instant now = config.clock().instant();
        if (config.until().isPresent() && !now.isBefore(config.until().get())) {
          reason = RelayState.UNTIL_REACHED;
          break;
        }
        if (config.idleTimeout().isPresent()
            && inFlight.get() == 0
            && Duration.between(lastReceivedAt, now).compareTo(config.idleTimeout().get()) >= 0) {
          reason = RelayState.DRAINED;
          break;
        }
        if (lastBatchOrdered && !awaitDrained(config.pollTimeout())) {
          continue;
        }
        if (!permits.tryAcquire(
            config.batchSize(), config.pollTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          continue;
        }
        List<MessageView> views;
        try {
          views = consumer.receive(config.batchSize(), config.invisibleDuration());
        } catch (ClientException | RuntimeException e) {
          permits.release(config.batchSize());
          LOG.warn("Relay receive from {} failed: {}", config.sourceTopic(), e.toString());
          afterReceiveFailure(e);
          continue;
        }
        permits.release(config.batchSize() - views.size());
        if (views.isEmpty()) {
          continue;
        }
        lastReceivedAt = config.clock().instant();
        lastBatchOrdered = false;
        for (MessageView view : views) {
          lastBatchOrdered |= view.getMessageGroup().isPresent();
          dispatch(view);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("Relay receiver stopped by an unexpected error", e);
    }
    finish(reason);
  }

  /**
   * Backs off an unreachable broker for at most {@code RECEIVE_ERROR_BACKOFF}, probing the
   * endpoints meanwhile: once the proxy accepts connections again while the client failed on the
   * transport, the client is replaced (the 5.2.0 client would fail fast until its gRPC reconnect
   * backoff ends, up to 120 s) and the receive is tried again at once.
   */
  private void afterReceiveFailure(Exception e) throws InterruptedException {
    long deadline = System.nanoTime() + RECEIVE_ERROR_BACKOFF.toNanos();
    boolean transport = ExceptionClassifier.classify(e) == ErrorKind.RETRYABLE;
    long probeEvery = config.client().reconnectProbeInterval().toMillis();
    boolean probing = transport && probeEvery > 0;
    while (!stopRequested) {
      long now = System.nanoTime();
      if (probing
          && (!rebuiltOnce || now - lastRebuild >= RECEIVE_ERROR_BACKOFF.toNanos())
          && endpoints.probe()) {
        rebuiltOnce = true;
        lastRebuild = now;
        if (replaceConsumer()) {
          return;
        }
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return;
      }
      // Backing off an unreachable broker between probes, not waiting for a condition.
      Thread.sleep(probing ? Math.min(left, probeEvery) : left);
    }
  }

  private boolean replaceConsumer() {
    SimpleConsumer fresh;
    try {
      fresh = factory.create();
    } catch (ClientException | RuntimeException e) {
      LOG.debug("Relay: replacing the consumer failed, keeping the old one: {}", e.toString());
      return false;
    }
    SimpleConsumer old = consumer;
    consumer = fresh;
    replacements.incrementAndGet();
    LOG.info(
        "Relay from {}: the proxy answers again, replaced the simple consumer instead of waiting"
            + " out its reconnect backoff",
        config.sourceTopic());
    BoundedClose.closeDetached(old, "relay-consumer", CONSUMER_CLOSE_TIMEOUT);
    return true;
  }

  /**
   * How often the consumer was replaced after the proxy came back.
   *
   * @return the count
   */
  long consumerReplacements() {
    return replacements.get();
  }

  private void dispatch(MessageView view) {
    inFlight.incrementAndGet();
    ReceivedMessage source;
    try {
      source = ReliableConsumerImpl.toReceived(view);
    } catch (RuntimeException e) {
      LOG.warn("Cannot read source message {}: {}", view.getMessageId(), e.toString());
      count("failed", failed);
      release();
      return;
    }
    sequencer.submit(
        source.messageGroup().orElse(null),
        new GroupSequencer.Step() {
          @Override
          public CompletionStage<Boolean> run() {
            return relay(view, source);
          }

          @Override
          public void skip() {
            // Left unacknowledged: the broker delivers it again after the invisible duration.
            release();
          }
        });
  }

  private CompletionStage<Boolean> relay(MessageView view, ReceivedMessage source) {
    CompletableFuture<SendOutcome> send;
    try {
      ReliableMessage copy = RelayMessages.copyOf(source, config.targetTopic());
      send = producer.sendAsync(copy);
    } catch (RuntimeException e) {
      send = CompletableFuture.failedFuture(e);
    }
    return send.handle(
        (outcome, e) -> {
          if (e != null) {
            count("failed", failed);
            LOG.warn(
                "Relaying source message {} failed, left for redelivery: {}",
                source.messageId(),
                e.toString());
            release();
            return false;
          }
          if (outcome.status() == SendStatus.SENT) {
            count("sent", sent);
          } else {
            count("stored", stored);
          }
          ack(view);
          return true;
        });
  }

  private void ack(MessageView view) {
    CompletableFuture<Void> ack;
    try {
      ack = consumer.ackAsync(view);
    } catch (RuntimeException e) {
      ack = CompletableFuture.failedFuture(e);
    }
    ack.whenComplete(
        (v, e) -> {
          if (e != null) {
            // The copy is out; the source comes back and is relayed again, which dedup absorbs.
            count("ack_failed", ackFailed);
            LOG.warn("Ack of source message {} failed: {}", view.getMessageId(), e.toString());
          }
          release();
        });
  }

  private void release() {
    permits.release();
    if (inFlight.decrementAndGet() == 0) {
      synchronized (drainLock) {
        drainLock.notifyAll();
      }
    }
  }

  private boolean awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (drainLock) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(drainLock, left);
      }
    }
    return true;
  }

  private void finish(RelayState reason) {
    boolean drained;
    try {
      drained = awaitDrained(config.closeTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    if (!drained) {
      LOG.warn(
          "Relay stopping with {} copies still in flight after {}: their source messages stay"
              + " unacknowledged and are delivered again",
          inFlight.get(),
          config.closeTimeout());
    }
    BoundedClose.close(consumer, "relay-consumer", CONSUMER_CLOSE_TIMEOUT);
    progressLog.shutdownNow();
    state = reason;
    RelayProgress last = progress();
    LOG.info("Relay stopped: {}", last);
    completion.complete(last);
  }

  @Override
  public RelayProgress progress() {
    long s = sent.sum();
    long st = stored.sum();
    long relayed = s + st;
    OptionalLong expected = config.expectedTotal();
    OptionalLong remaining =
        expected.isPresent()
            ? OptionalLong.of(Math.max(0, expected.getAsLong() - relayed))
            : OptionalLong.empty();
    return new RelayProgress(
        state,
        relayed,
        s,
        st,
        failed.sum(),
        Math.max(0, inFlight.get()),
        Duration.between(startedAt, config.clock().instant()),
        remaining);
  }

  @Override
  public CompletableFuture<RelayProgress> completion() {
    return completion.copy();
  }

  @Override
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    try {
      completion.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  @Override
  public void close() {
    stopRequested = true;
    Duration bound =
        config
            .pollTimeout()
            .plus(config.client().requestTimeout())
            .plus(config.closeTimeout())
            .plus(CONSUMER_CLOSE_TIMEOUT)
            .plusSeconds(5);
    try {
      completion.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      LOG.warn("Relay did not stop within {}", bound);
    }
  }
}
