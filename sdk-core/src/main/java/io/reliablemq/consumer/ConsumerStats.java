package io.reliablemq.consumer;

/**
 * Counts since a consumer started.
 *
 * @param deliveries every message the client handed to the consumer, redeliveries included
 * @param handled handler runs that succeeded
 * @param failed deliveries answered FAILURE (handler threw, key busy, store unreachable)
 * @param duplicates deliveries acknowledged without running the handler (key already CONSUMED)
 * @param busy deliveries failed because another live owner was processing the key
 * @param l1Hits duplicates answered from the in-memory cache without asking the store
 */
public record ConsumerStats(
    long deliveries, long handled, long failed, long duplicates, long busy, long l1Hits) {}
