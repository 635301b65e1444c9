package io.reliablemq.it.support;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Awaitility defaults of every test in this module, registered by JUnit's extension
 * auto-detection ({@code junit-platform.properties}). A wait does not fail because some other
 * thread of the test JVM died with an uncaught exception: the RocketMQ clients running in-process
 * (raw witnesses, SDK producers and consumers) throw such exceptions from their own threads when
 * they are closed or cut off mid-call, which says nothing about the condition awaited. Polls every
 * 50 ms, as the hand-written helper did.
 */
public final class AwaitilityDefaults implements BeforeAllCallback {
  static {
    Awaitility.doNotCatchUncaughtExceptionsByDefault();
    Awaitility.setDefaultPollInterval(Duration.ofMillis(50));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // The static initialiser did the work, once per JVM.
  }
}
