package io.reliablemq.spring.internal;

import io.reliablemq.consumer.ConsumerState;
import io.reliablemq.consumer.ReliableConsumer;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.spring.listener.ListenerStatus;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one listener method on a {@link ReliableConsumer}. Starting never fails the caller: while
 * the broker is unreachable the consumer itself waits and connects in the background ({@link
 * ConsumerState#WAITING}); a start that fails for another reason (a topic not created yet) is
 * retried here, every {@code retryInterval}. Stopping closes the consumer and then waits, bounded,
 * for handlers still running.
 */
public final class ListenerContainer {
  private static final Logger log = LoggerFactory.getLogger(ListenerContainer.class);

  private final ListenerEndpoint endpoint;
  private final ReliableConsumerConfig config;
  private final PayloadConverter converter;
  private final ScheduledExecutorService scheduler;
  private final Duration retryInterval;
  private final Duration shutdownTimeout;
  private final DataSource transactionalDataSource;
  private final Object inFlightLock = new Object();
  private int inFlight;

  private volatile ReliableConsumer consumer;
  private ScheduledFuture<?> pending;
  private boolean stopped = true;
  private volatile String lastStartError;

  /**
   * Creates a stopped container.
   *
   * @param endpoint the method
   * @param config the consumer configuration
   * @param converter converts bodies to the method's parameter
   * @param scheduler runs start attempts
   * @param retryInterval wait between failed start attempts
   * @param shutdownTimeout longest wait for in-flight handlers on stop
   * @param transactionalDataSource the database whose transaction carries the CONSUMED mark, or
   *     null outside the transactional mode
   */
  public ListenerContainer(
      ListenerEndpoint endpoint,
      ReliableConsumerConfig config,
      PayloadConverter converter,
      ScheduledExecutorService scheduler,
      Duration retryInterval,
      Duration shutdownTimeout,
      DataSource transactionalDataSource) {
    this.endpoint = endpoint;
    this.config = config;
    this.converter = converter;
    this.scheduler = scheduler;
    this.retryInterval = retryInterval;
    this.shutdownTimeout = shutdownTimeout;
    this.transactionalDataSource = transactionalDataSource;
  }

  /** Starts the consumer in the background, retrying until it starts or the container stops. */
  public synchronized void start() {
    if (!stopped) {
      return;
    }
    stopped = false;
    pending = scheduler.schedule(this::attemptStart, 0, TimeUnit.MILLISECONDS);
  }

  private synchronized void attemptStart() {
    if (stopped || consumer != null) {
      return;
    }
    try {
      consumer =
          transactionalDataSource == null
              ? ReliableConsumer.start(config, this::handle)
              : ReliableConsumer.startTransactional(
                  config,
                  transactionalDataSource,
                  TransactionalDedupSupport.handler(
                      transactionalDataSource, endpoint.id(), this::handle));
      lastStartError = null;
      log.info(
          "Listener {} {} on topic {} for group {}",
          endpoint.id(),
          consumer.state() == ConsumerState.WAITING ? "waits for the broker" : "started",
          endpoint.topic(),
          endpoint.consumerGroup());
    } catch (RuntimeException e) {
      lastStartError = e.getClass().getSimpleName() + ": " + e.getMessage();
      log.warn(
          "Listener {} could not start ({}); retrying in {}",
          endpoint.id(),
          lastStartError,
          retryInterval);
      pending =
          scheduler.schedule(this::attemptStart, retryInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void handle(io.reliablemq.consumer.ReceivedMessage message) throws Exception {
    synchronized (inFlightLock) {
      inFlight++;
    }
    try {
      Object argument = converter.fromMessage(message, endpoint.parameterType());
      endpoint.method().invoke(endpoint.bean(), argument);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw (Error) cause;
    } finally {
      synchronized (inFlightLock) {
        inFlight--;
        inFlightLock.notifyAll();
      }
    }
  }

  /** Stops start attempts, closes the consumer, and waits (bounded) for in-flight handlers. */
  public void stop() {
    ReliableConsumer toClose;
    synchronized (this) {
      stopped = true;
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
      toClose = consumer;
      consumer = null;
    }
    if (toClose != null) {
      toClose.close();
    }
    awaitInFlight();
  }

  private void awaitInFlight() {
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    synchronized (inFlightLock) {
      while (inFlight > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          log.warn(
              "Listener {}: {} handlers still running after {}; they will be redelivered",
              endpoint.id(),
              inFlight,
              shutdownTimeout);
          return;
        }
        try {
          inFlightLock.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Whether the consumer is started and receives (not waiting for the broker).
   *
   * @return true when running
   */
  public boolean isRunning() {
    ReliableConsumer c = consumer;
    return c != null && c.state() == ConsumerState.RUNNING;
  }

  /**
   * The container's state.
   *
   * @return the status
   */
  public ListenerStatus status() {
    ReliableConsumer c = consumer;
    Optional<ConsumerState> state = c == null ? Optional.empty() : Optional.of(c.state());
    return new ListenerStatus(
        endpoint.id(),
        endpoint.topic(),
        endpoint.consumerGroup(),
        state.filter(s -> s == ConsumerState.RUNNING).isPresent(),
        Optional.ofNullable(lastStartError),
        c == null ? Optional.empty() : Optional.of(c.stats()),
        state);
  }

  /**
   * The endpoint.
   *
   * @return the endpoint
   */
  public ListenerEndpoint endpoint() {
    return endpoint;
  }
}
