package io.reliablemq.test;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects a started {@link EmbeddedRocketMQ} into test and lifecycle method
 * parameters.
 *
 * <p>By default every test in the JVM gets the same broker, started on first use and closed when
 * the test JVM's root context closes. A parameter or test method annotated {@link DedicatedBroker}
 * gets a broker of its own, closed after that test: use it when the test stops, kills, pauses or
 * restarts the broker. Tests sharing the broker should use {@link
 * EmbeddedRocketMQ#uniqueName(String)} for topics and groups.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedRocketMQExtension.class)
 * class MyTest {
 *   @Test
 *   void sends(EmbeddedRocketMQ mq) { ... }
 *
 *   @Test
 *   void survivesCrash(@DedicatedBroker EmbeddedRocketMQ mq) { mq.kill(); mq.restart(); ... }
 * }
 * }</pre>
 *
 * <p>{@code reliablemq-test} declares {@code junit-jupiter-api} optional, so it is not pulled onto
 * your classpath: a test that uses this extension brings JUnit 5 itself (as every JUnit 5 test
 * does).
 */
public final class EmbeddedRocketMQExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedRocketMQExtension.class);
  private static final String SHARED = "shared-broker";

  /** Creates the extension (instantiated by JUnit). */
  public EmbeddedRocketMQExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.getParameter().getType() == EmbeddedRocketMQ.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    boolean dedicated =
        parameterContext.isAnnotated(DedicatedBroker.class)
            || context
                .getTestMethod()
                .map(m -> m.isAnnotationPresent(DedicatedBroker.class))
                .orElse(false);
    try {
      if (dedicated) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        String key = "dedicated-" + parameterContext.getIndex() + "-" + context.getUniqueId();
        return store.getOrComputeIfAbsent(key, k -> new Resource(startNew()), Resource.class)
            .broker;
      }
      return context
          .getRoot()
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(SHARED, k -> new Resource(startNew()), Resource.class)
          .broker;
    } catch (RuntimeException e) {
      throw new ParameterResolutionException("cannot start EmbeddedRocketMQ: " + e.getMessage(), e);
    }
  }

  private static EmbeddedRocketMQ startNew() {
    EmbeddedRocketMQ broker = EmbeddedRocketMQ.builder().build();
    try {
      return broker.start();
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  /** Store entry that closes its broker when the owning context closes. */
  @SuppressWarnings("deprecation")
  private static final class Resource
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final EmbeddedRocketMQ broker;

    Resource(EmbeddedRocketMQ broker) {
      this.broker = broker;
    }

    @Override
    public void close() {
      broker.close();
    }
  }
}
