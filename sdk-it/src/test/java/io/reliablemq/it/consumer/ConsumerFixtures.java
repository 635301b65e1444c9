package io.reliablemq.it.consumer;

import io.reliablemq.client.ClientSettings;
import io.reliablemq.consumer.DedupConfig;
import io.reliablemq.consumer.ReliableConsumerConfig;
import io.reliablemq.dedup.DedupStore;
import io.reliablemq.dedup.DedupStoreConfig;
import io.reliablemq.dedup.jdbc.JdbcDedupStore;
import io.reliablemq.producer.ReliableProducer;
import io.reliablemq.producer.ReliableProducerConfig;
import io.reliablemq.producer.SendRetryConfig;
import java.nio.file.Path;
import java.time.Duration;

/** Shared set-up of the consumer ITs. */
final class ConsumerFixtures {
  private ConsumerFixtures() {}

  static ClientSettings client(String endpoints) {
    return ClientSettings.custom()
        .endpoints(endpoints)
        .sslEnabled(false)
        .requestTimeout(Duration.ofSeconds(2))
        .build();
  }

  static ReliableProducer producer(String endpoints) {
    return ReliableProducer.create(
        ReliableProducerConfig.custom(client(endpoints))
            .retry(
                SendRetryConfig.custom()
                    .maxAttempts(3)
                    .initialBackoff(Duration.ofMillis(50))
                    .maxBackoff(Duration.ofMillis(500))
                    .totalDeadline(Duration.ofSeconds(5))
                    .build())
            .build());
  }

  static JdbcDedupStore h2Store(Path dir) {
    return JdbcDedupStore.h2(DedupStoreConfig.custom().directory(dir).build());
  }

  static ReliableConsumerConfig.Builder config(
      String endpoints, String group, String topic, DedupStore store) {
    return ReliableConsumerConfig.custom(client(endpoints), group)
        .subscribe(topic, "*")
        .consumptionThreadCount(8)
        .dedup(
            DedupConfig.custom(store)
                .lease(Duration.ofSeconds(30))
                .leaseRenewInterval(Duration.ofSeconds(10))
                .build());
  }
}
