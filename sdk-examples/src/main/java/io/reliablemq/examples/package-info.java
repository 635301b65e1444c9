/** Runnable examples of ReliableMQ; each runs against the embedded RocketMQ by default. */
package io.reliablemq.examples;
