package io.reliablemq.spring.transaction;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean implementing {@link io.reliablemq.producer.TransactionCheck} as the checker of one
 * business type: the broker's check-backs for half messages sent with {@link
 * io.reliablemq.transaction.TransactionalSender#send(String, io.reliablemq.message.ReliableMessage,
 * java.util.function.Supplier)} under that type are answered by it. Registered with the
 * auto-configured sender ({@code reliablemq.transaction.enabled=true}); a bean that does not
 * implement the interface, or a type registered twice, fails the startup naming the bean.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReliableTransactionHandler {
  /**
   * The business type.
   *
   * @return 1-64 characters of {@code [A-Za-z0-9_.-]}; placeholders allowed
   */
  String type();
}
