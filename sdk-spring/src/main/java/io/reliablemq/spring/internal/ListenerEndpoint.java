package io.reliablemq.spring.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import org.springframework.expression.Expression;

/**
 * One {@code @ReliableMessageListener} method with its attributes resolved.
 *
 * @param beanName the bean's name
 * @param bean the bean
 * @param method the method, invocable on the bean
 * @param parameterType the generic type of its one parameter
 * @param topic the topic
 * @param consumerGroup the consumer group
 * @param tag the tag expression
 * @param idempotent whether dedup is on
 * @param concurrency consumption threads, or null for the core default
 * @param dedupKey the parsed {@code dedupKey} expression, or null for the standard key
 * @param transactionalDedup whether the CONSUMED mark commits in the method's DB transaction
 */
public record ListenerEndpoint(
    String beanName,
    Object bean,
    Method method,
    Type parameterType,
    String topic,
    String consumerGroup,
    String tag,
    boolean idempotent,
    Integer concurrency,
    Expression dedupKey,
    boolean transactionalDedup) {

  /**
   * The name used in logs and health: {@code bean.method}.
   *
   * @return the id
   */
  public String id() {
    return beanName + "." + method.getName();
  }
}
