package io.reliablemq.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link EmbeddedRocketMQExtension} for a broker of the test's own instead of the one shared
 * by the test JVM: put it on an {@link EmbeddedRocketMQ} parameter or on the test method. Use it
 * for tests that stop, kill, pause or restart the broker. The broker is closed after the test.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD})
public @interface DedicatedBroker {}
