/** Implementation of {@link io.reliablemq.producer.ReliableProducer}; not a public API. */
package io.reliablemq.producer.internal;
