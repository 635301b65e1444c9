/**
 * Test kit: {@link io.reliablemq.test.EmbeddedRocketMQ}, a real RocketMQ 5 stack (NameServer and
 * proxy in LOCAL mode with the broker embedded) running in a child JVM, and the JUnit 5 {@link
 * io.reliablemq.test.EmbeddedRocketMQExtension}.
 */
package io.reliablemq.test;
