package io.reliablemq.producer.internal;

import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.producer.Producer;

/** Builds the underlying client producer; a seam so unit tests can hand in a fake. */
@FunctionalInterface
public interface ClientProducerFactory {
  /**
   * Builds and starts a client producer.
   *
   * @return the producer
   * @throws ClientException when the client cannot start
   */
  Producer create() throws ClientException;
}
