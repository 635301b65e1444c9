/**
 * Backlog relief: {@link io.reliablemq.relay.BacklogRelay} moves the backlog of a topic to a wider
 * one (more queues, so more consumers can work on it) without losing a message. Each source message
 * is acknowledged only after the target topic acknowledged its copy or the producer's fallback
 * store took it; a crash of the relay therefore re-sends some copies, which the business consumers'
 * dedup absorbs because the copies keep their {@code reliablemq_id}.
 */
package io.reliablemq.relay;
