/**
 * The quick-start demo: an embedded broker, a few hundred messages through {@link
 * io.reliablemq.producer.ReliableProducer}, and a reconciliation of what was sent against what a
 * consumer received.
 */
package io.reliablemq.examples.quickstart;
