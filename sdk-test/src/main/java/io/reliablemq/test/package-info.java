/**
 * Test kit: {@link io.reliablemq.test.EmbeddedRocketMQ}, a real RocketMQ 5 stack (NameServer and
 * proxy in LOCAL mode with the broker embedded) running in a child JVM, {@link
 * io.reliablemq.test.EmbeddedRocketMQCluster}, a real cluster (NameServers, broker groups, proxies
 * in CLUSTER mode) with every node in a child JVM of its own, and the JUnit 5 extensions {@link
 * io.reliablemq.test.EmbeddedRocketMQExtension} and {@link
 * io.reliablemq.test.EmbeddedRocketMQClusterExtension}.
 */
package io.reliablemq.test;
