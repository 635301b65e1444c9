package io.reliablemq.spring.listener;

import io.reliablemq.consumer.ConsumerStats;
import java.util.Optional;

/**
 * The state of one listener container, for health checks and the Actuator endpoint.
 *
 * @param id {@code bean.method}
 * @param topic the topic
 * @param consumerGroup the consumer group
 * @param running whether its consumer is started
 * @param lastStartError why the last start attempt failed (exception type and message), if it did
 * @param stats counts since its consumer started, when running
 */
public record ListenerStatus(
    String id,
    String topic,
    String consumerGroup,
    boolean running,
    Optional<String> lastStartError,
    Optional<ConsumerStats> stats) {}
