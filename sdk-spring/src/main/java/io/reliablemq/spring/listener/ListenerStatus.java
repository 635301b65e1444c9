package io.reliablemq.spring.listener;

import io.reliablemq.consumer.ConsumerState;
import io.reliablemq.consumer.ConsumerStats;
import java.util.Optional;

/**
 * The state of one listener container, for health checks and the Actuator endpoint.
 *
 * @param id {@code bean.method}
 * @param topic the topic
 * @param consumerGroup the consumer group
 * @param running whether its consumer is started and receives
 * @param lastStartError why the last start attempt failed (exception type and message), if it did
 * @param stats counts since its consumer started, when it exists
 * @param consumerState the state of its consumer, when one exists: {@link ConsumerState#WAITING}
 *     while the consumer waits for a broker it could not reach at start
 */
public record ListenerStatus(
    String id,
    String topic,
    String consumerGroup,
    boolean running,
    Optional<String> lastStartError,
    Optional<ConsumerStats> stats,
    Optional<ConsumerState> consumerState) {

  /**
   * A status without a consumer state, as before consumers could wait for the broker.
   *
   * @param id {@code bean.method}
   * @param topic the topic
   * @param consumerGroup the consumer group
   * @param running whether its consumer is started and receives
   * @param lastStartError why the last start attempt failed, if it did
   * @param stats counts since its consumer started, when it exists
   */
  public ListenerStatus(
      String id,
      String topic,
      String consumerGroup,
      boolean running,
      Optional<String> lastStartError,
      Optional<ConsumerStats> stats) {
    this(id, topic, consumerGroup, running, lastStartError, stats, Optional.empty());
  }

  /**
   * Whether its consumer exists but still waits to connect to the broker.
   *
   * @return true while {@link ConsumerState#WAITING}
   */
  public boolean waitingForBroker() {
    return consumerState.filter(s -> s == ConsumerState.WAITING).isPresent();
  }
}
