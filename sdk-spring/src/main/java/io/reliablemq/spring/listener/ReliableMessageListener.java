package io.reliablemq.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as the handler of a topic for a consumer group. The method takes exactly one
 * parameter: {@link io.reliablemq.consumer.ReceivedMessage}, {@code byte[]} (the body), {@link
 * String} (the body in UTF-8), or any other type, read from the body as JSON by the application's
 * JSON codec (Jackson). Returning acknowledges the message; throwing makes the broker redeliver it
 * later. String attributes resolve {@code ${...}} placeholders.
 *
 * <p>Each annotated method gets a listener container that starts with the application context (in
 * the background while the broker is unreachable) and stops before the producer and stores close.
 * An invalid signature fails the startup with a message naming the bean and the method.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReliableMessageListener {
  /**
   * The topic.
   *
   * @return the topic, placeholders allowed
   */
  String topic();

  /**
   * The consumer group.
   *
   * @return the group, placeholders allowed
   */
  String consumerGroup();

  /**
   * The tag filter expression.
   *
   * @return {@code *} for every tag, or {@code a || b}
   */
  String tag() default "*";

  /**
   * Whether a message with the same dedup key ({@code reliablemq_id}, else the message id) reaches
   * the method once while its dedup record lives. Needs the dedup store ({@code
   * reliablemq.dedup.enabled}, on by default).
   *
   * @return true by default
   */
  boolean idempotent() default true;

  /**
   * Consumption threads of this listener.
   *
   * @return a positive number, a placeholder, or empty for the core default (20)
   */
  String concurrency() default "";

  /**
   * The business dedup key as a SpEL expression, evaluated for each delivery with the {@link
   * io.reliablemq.consumer.ReceivedMessage} as root object and the converted argument as {@code
   * #payload}; for example {@code "#payload.orderId"} (a JavaBean), {@code "#payload.id()"} (a
   * record) or {@code "properties()['bizId']"}. Empty (the default) keeps the standard key: {@code
   * reliablemq_id}, else the message keys, else the message id. Parsed at startup: a malformed
   * expression fails the startup naming the bean and method.
   *
   * @return the expression, or empty
   */
  String dedupKey() default "";

  /**
   * Whether the CONSUMED mark is written in the method's own database transaction, so that the
   * method's effect and the mark commit or vanish together (the core's transactional mode). For
   * each delivery the consumer opens a transaction on the application's {@code DataSource} and
   * binds its connection to the current thread the way Spring's {@code
   * DataSourceTransactionManager} does: {@code JdbcTemplate}, {@code DataSourceUtils} and a
   * {@code @Transactional} method with the default propagation, called from the listener, all join
   * it. The method returning commits effect and mark; throwing (or a joined transaction marked
   * rollback-only) rolls both back and the broker redelivers. Work that does not go through the
   * bound connection (an ORM with its own connection handling, {@code REQUIRES_NEW}, an HTTP call)
   * is outside the promise.
   *
   * <p>Needs {@code idempotent = true}, exactly one {@code DataSource} bean and {@code
   * spring-jdbc}; the dedup table ({@code <prefix>_dedup}, prefix {@code
   * reliablemq.dedup.table-prefix}) is created in that database. Otherwise the startup fails naming
   * the bean and method.
   *
   * @return false by default
   */
  boolean transactionalDedup() default false;
}
