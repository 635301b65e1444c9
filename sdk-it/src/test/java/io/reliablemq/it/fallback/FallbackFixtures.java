package io.reliablemq.it.fallback;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreConfig;
import io.reliablemq.fallback.ReplayConfig;
import io.reliablemq.fallback.jdbc.JdbcFallbackStore;
import io.reliablemq.producer.CircuitConfig;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import java.nio.file.Path;
import java.time.Duration;

/** Producer and store settings shared by the fallback integration tests and their child JVMs. */
final class FallbackFixtures {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

  private FallbackFixtures() {}

  static JdbcFallbackStore h2Store(Path dir, long maxRows) {
    return JdbcFallbackStore.h2(
        FallbackStoreConfig.custom().directory(dir).maxRows(maxRows).build());
  }

  static ReliableProducer producer(String endpoints, FallbackStore store, CircuitConfig circuit) {
    return ReliableProducer.create(
        ReliableProducerConfig.custom(
                ClientSettings.custom()
                    .endpoints(endpoints)
                    .sslEnabled(false)
                    .requestTimeout(REQUEST_TIMEOUT)
                    .build())
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(2)
                    .initialBackoff(Duration.ofMillis(50))
                    .maxBackoff(Duration.ofMillis(200))
                    .totalDeadline(Duration.ofSeconds(3))
                    .build())
            .circuit(circuit)
            .fallbackStore(store)
            .replay(
                ReplayConfig.custom()
                    .idlePoll(Duration.ofMillis(200))
                    .initialBackoff(Duration.ofMillis(200))
                    .maxBackoff(Duration.ofSeconds(2))
                    .build())
            .build());
  }

  static ReliableProducer producer(String endpoints, FallbackStore store) {
    return producer(
        endpoints,
        store,
        CircuitConfig.custom()
            .slidingWindowSize(10)
            .minimumNumberOfCalls(4)
            .waitInOpenState(Duration.ofSeconds(2))
            .build());
  }
}
