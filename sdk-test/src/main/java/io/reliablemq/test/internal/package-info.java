/**
 * Implementation of the test kit: not an API. {@link io.reliablemq.test.internal.BrokerLauncher}
 * runs only in the child JVM, where the broker's jars are on the classpath.
 */
package io.reliablemq.test.internal;
