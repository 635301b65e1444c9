/**
 * The idempotent consumer: {@link io.reliablemq.consumer.ReliableConsumer} runs a {@link
 * io.reliablemq.consumer.MessageHandler}, {@link io.reliablemq.consumer.AsyncMessageHandler} or
 * {@link io.reliablemq.consumer.TransactionalMessageHandler} over RocketMQ 5 deliveries,
 * acknowledges only after the handler finished, and deduplicates by a {@link
 * io.reliablemq.consumer.DedupKeyExtractor dedup key} through a {@link
 * io.reliablemq.dedup.DedupStore} with an in-memory cache in front. Messages reach handlers as
 * {@link io.reliablemq.consumer.ReceivedMessage}, never as client types.
 */
package io.reliablemq.consumer;
