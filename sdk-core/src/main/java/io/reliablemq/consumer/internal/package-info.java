/**
 * The implementation of {@link io.reliablemq.consumer.ReliableConsumer}: the dedup state machine
 * driver ({@link io.reliablemq.consumer.internal.DedupGuard}) and the push consumer wiring.
 */
package io.reliablemq.consumer.internal;
