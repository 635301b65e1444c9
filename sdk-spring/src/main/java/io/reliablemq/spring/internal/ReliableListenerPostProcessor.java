package io.reliablemq.spring.internal;

import io.reliablemq.spring.listener.ReliableListenerRegistry;
import io.reliablemq.spring.listener.ReliableMessageListener;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * Finds {@link ReliableMessageListener} methods on beans, validates their signatures and resolves
 * their attributes at bean initialization (so a bad one fails the startup naming bean and method),
 * and hands them to the {@link ReliableListenerRegistry} once every singleton exists.
 */
public final class ReliableListenerPostProcessor
    implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {
  private static final SpelExpressionParser PARSER = new SpelExpressionParser();

  private final List<ListenerEndpoint> collected = new ArrayList<>();
  private ConfigurableBeanFactory beanFactory;
  private ReliableListenerRegistry registry;

  /** Creates the post-processor. */
  public ReliableListenerPostProcessor() {}

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = (ConfigurableBeanFactory) beanFactory;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
    Class<?> targetClass = AopUtils.getTargetClass(bean);
    Map<Method, ReliableMessageListener> methods =
        MethodIntrospector.selectMethods(
            targetClass,
            (MethodIntrospector.MetadataLookup<ReliableMessageListener>)
                m -> AnnotatedElementUtils.findMergedAnnotation(m, ReliableMessageListener.class));
    for (Map.Entry<Method, ReliableMessageListener> e : methods.entrySet()) {
      ListenerEndpoint endpoint = endpoint(bean, beanName, e.getKey(), e.getValue());
      synchronized (this) {
        if (registry != null) {
          registry.register(endpoint);
        } else {
          collected.add(endpoint);
        }
      }
    }
    return bean;
  }

  @Override
  public void afterSingletonsInstantiated() {
    synchronized (this) {
      registry = beanFactory.getBean(ReliableListenerRegistry.class);
      collected.forEach(registry::register);
      collected.clear();
    }
  }

  private ListenerEndpoint endpoint(
      Object bean, String beanName, Method method, ReliableMessageListener a) {
    String where = "@ReliableMessageListener " + beanName + "." + method.getName();
    if (method.getParameterCount() != 1) {
      throw new BeanInitializationException(
          where
              + " must take exactly one parameter (the payload type, String, byte[] or"
              + " ReceivedMessage), has "
              + method.getParameterCount());
    }
    Class<?> type = method.getParameterTypes()[0];
    if (type.isPrimitive()) {
      throw new BeanInitializationException(
          where + " has a primitive parameter " + type + ": use a payload type, String or byte[]");
    }
    if (Modifier.isStatic(method.getModifiers())) {
      throw new BeanInitializationException(where + " must not be static");
    }
    String topic = resolve(where, "topic", a.topic());
    String group = resolve(where, "consumerGroup", a.consumerGroup());
    String tag = resolve(where, "tag", a.tag());
    String concurrencyText = resolve(where, "concurrency", a.concurrency());
    if (topic.isBlank() || group.isBlank() || tag.isBlank()) {
      throw new BeanInitializationException(where + ": topic, consumerGroup and tag must be set");
    }
    Integer concurrency = null;
    if (!concurrencyText.isBlank()) {
      try {
        concurrency = Integer.valueOf(concurrencyText.trim());
      } catch (NumberFormatException ex) {
        throw new BeanInitializationException(
            where + ": concurrency must be a number, was '" + concurrencyText + "'");
      }
      if (concurrency < 1) {
        throw new BeanInitializationException(
            where + ": concurrency must be positive, was " + concurrency);
      }
    }
    Expression dedupKey = null;
    if (!a.dedupKey().isBlank()) {
      if (!a.idempotent()) {
        throw new BeanInitializationException(where + ": dedupKey needs idempotent = true");
      }
      try {
        dedupKey = PARSER.parseExpression(a.dedupKey());
      } catch (ParseException e) {
        throw new BeanInitializationException(
            where + ": dedupKey '" + a.dedupKey() + "' is not valid SpEL: " + e.getMessage(), e);
      }
    }
    if (a.transactionalDedup() && !a.idempotent()) {
      throw new BeanInitializationException(
          where + ": transactionalDedup needs idempotent = true (the mark is the dedup record)");
    }
    Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
    invocable.setAccessible(true);
    return new ListenerEndpoint(
        beanName,
        bean,
        invocable,
        method.getGenericParameterTypes()[0],
        topic,
        group,
        tag,
        a.idempotent(),
        concurrency,
        dedupKey,
        a.transactionalDedup());
  }

  private String resolve(String where, String attribute, String value) {
    try {
      String resolved = beanFactory.resolveEmbeddedValue(value);
      if (resolved != null && resolved.contains("${")) {
        throw new IllegalArgumentException("unresolved placeholder");
      }
      return resolved == null ? "" : resolved;
    } catch (IllegalArgumentException e) {
      throw new BeanInitializationException(
          where + ": cannot resolve " + attribute + " '" + value + "': " + e.getMessage(), e);
    }
  }
}
