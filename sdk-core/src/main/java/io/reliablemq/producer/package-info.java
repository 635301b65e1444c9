/**
 * Sending: {@link io.reliablemq.producer.ReliableProducer} validates a message before any I/O,
 * gives it one logical id, and retries retryable failures with backoff and jitter inside one total
 * deadline. Retryability is decided in exactly one place, {@link
 * io.reliablemq.producer.ExceptionClassifier}.
 */
package io.reliablemq.producer;
