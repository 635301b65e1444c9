/**
 * ReliableMQ without Spring: {@link io.reliablemq.producer.ReliableProducer} with a fallback store,
 * {@link io.reliablemq.consumer.ReliableConsumer} with dedup, and {@link
 * io.reliablemq.transaction.TransactionalSender}.
 */
package io.reliablemq.examples.plain;
