/**
 * Deduplication of consumed messages: the {@link io.reliablemq.dedup.DedupStore} SPI that holds,
 * per (consumer group, dedup key), the state machine
 *
 * <pre>
 * absent --claim--&gt; PROCESSING(owner, lease until) --handler ok--&gt; CONSUMED(expires at) --ttl--&gt; absent
 *                        |--handler failed--&gt; absent
 * </pre>
 *
 * <p>and the settings of the JDBC implementation ({@link io.reliablemq.dedup.DedupStoreConfig}).
 * The consumer that drives it is {@link io.reliablemq.consumer.ReliableConsumer}.
 */
package io.reliablemq.dedup;
