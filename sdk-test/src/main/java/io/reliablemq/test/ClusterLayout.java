package io.reliablemq.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The shape of the {@link EmbeddedRocketMQCluster} that {@link EmbeddedRocketMQClusterExtension}
 * injects: on the parameter, the method or the test class (the nearest wins). Without it the
 * cluster has the builder's defaults.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface ClusterLayout {
  /**
   * How many NameServers.
   *
   * @return the count
   */
  int nameServers() default 1;

  /**
   * How many broker groups ({@code broker-a}, {@code broker-b}, ...).
   *
   * @return the count
   */
  int brokerGroups() default 2;

  /**
   * How many replicas each broker group has besides its first node ({@code broker-a-1}, ...); more
   * than 0 runs the cluster in controller mode, see {@link
   * EmbeddedRocketMQCluster.Builder#replicasPerGroup}.
   *
   * @return the count
   */
  int replicasPerGroup() default 0;

  /**
   * How many proxies in CLUSTER mode.
   *
   * @return the count
   */
  int proxies() default 1;

  /**
   * Broker properties as {@code key=value} strings, e.g. {@code "registerNameServerPeriod=10000"}.
   *
   * @return the properties
   */
  String[] brokerProperties() default {};

  /**
   * Proxy settings as {@code key=value} strings ({@code ProxyConfig} field names).
   *
   * @return the settings
   */
  String[] proxyProperties() default {};
}
