/**
 * Sending: {@link io.reliablemq.producer.ReliableProducer} validates a message before any I/O,
 * gives it one logical id, and retries retryable failures with backoff and jitter inside one total
 * deadline. Retryability is decided in exactly one place, {@link
 * io.reliablemq.producer.ExceptionClassifier}.
 *
 * <p>The check-back types live here too ({@link io.reliablemq.producer.TransactionCheck}, {@link
 * io.reliablemq.producer.CheckRequest}, {@link io.reliablemq.producer.TransactionDecision}): the
 * client of every producer answers the broker's check-backs, so the producer's configuration names
 * them, and the transactional sender (package {@code io.reliablemq.transaction}), built on the
 * producer, uses them from here.
 */
package io.reliablemq.producer;
