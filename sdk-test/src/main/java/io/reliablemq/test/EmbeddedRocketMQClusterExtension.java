package io.reliablemq.test;

import java.lang.reflect.AnnotatedElement;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects a started {@link EmbeddedRocketMQCluster}, shaped by {@link
 * ClusterLayout}, into test, lifecycle and constructor parameters.
 *
 * <p>A cluster lives as long as the context that asked for it: a parameter of a {@code @BeforeAll}
 * method (or of the constructor with a per-class lifecycle) gets one cluster for the whole class; a
 * parameter of a test or {@code @BeforeEach} method gets one for that test. Within one context,
 * parameters with the same layout get the same cluster. Clusters are closed (every node killed)
 * when their context closes. Starting one takes seconds per node, so share a class-wide cluster
 * between the tests of a class and let each test put back what it broke.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedRocketMQClusterExtension.class)
 * @ClusterLayout(brokerGroups = 2, proxies = 2)
 * class OrderFailoverTest {
 *   static EmbeddedRocketMQCluster cluster;
 *
 *   @BeforeAll
 *   static void start(EmbeddedRocketMQCluster c) { cluster = c; }
 * }
 * }</pre>
 *
 * <p>{@code reliablemq-test} declares {@code junit-jupiter-api} optional, so it is not pulled onto
 * your classpath: a test that uses this extension brings JUnit 5 itself (as every JUnit 5 test
 * does).
 */
public final class EmbeddedRocketMQClusterExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedRocketMQClusterExtension.class);

  /** Creates the extension (instantiated by JUnit). */
  public EmbeddedRocketMQClusterExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.getParameter().getType() == EmbeddedRocketMQCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    ClusterLayout layout =
        parameterContext
            .findAnnotation(ClusterLayout.class)
            .or(() -> find(context.getTestMethod()))
            .or(() -> find(context.getTestClass()))
            .orElse(null);
    String key = "cluster-" + (layout == null ? "default" : describe(layout));
    try {
      return context
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(key, k -> new Resource(startNew(layout)), Resource.class)
          .cluster;
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "cannot start EmbeddedRocketMQCluster: " + e.getMessage(), e);
    }
  }

  private static Optional<ClusterLayout> find(Optional<? extends AnnotatedElement> element) {
    return element.map(e -> e.getAnnotation(ClusterLayout.class));
  }

  private static String describe(ClusterLayout l) {
    return l.nameServers()
        + "/"
        + l.brokerGroups()
        + "x"
        + l.replicasPerGroup()
        + "/"
        + l.proxies()
        + Arrays.toString(l.brokerProperties())
        + Arrays.toString(l.proxyProperties());
  }

  private static EmbeddedRocketMQCluster startNew(ClusterLayout layout) {
    EmbeddedRocketMQCluster.Builder builder = EmbeddedRocketMQCluster.builder();
    if (layout != null) {
      builder
          .nameServers(layout.nameServers())
          .brokerGroups(layout.brokerGroups())
          .replicasPerGroup(layout.replicasPerGroup())
          .proxies(layout.proxies());
      apply("brokerProperties", layout.brokerProperties(), builder::brokerProperty);
      apply("proxyProperties", layout.proxyProperties(), builder::proxyProperty);
    }
    EmbeddedRocketMQCluster cluster = builder.build();
    try {
      return cluster.start();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static void apply(String field, String[] pairs, BiConsumer<String, String> setter) {
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "ClusterLayout." + field + " entries must be key=value: " + pair);
      }
      setter.accept(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
  }

  /** Store entry that closes its cluster when the owning context closes. */
  @SuppressWarnings("deprecation")
  private static final class Resource
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final EmbeddedRocketMQCluster cluster;

    Resource(EmbeddedRocketMQCluster cluster) {
      this.cluster = cluster;
    }

    @Override
    public void close() {
      cluster.close();
    }
  }
}
