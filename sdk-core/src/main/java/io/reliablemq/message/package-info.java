/**
 * The message value type sent through ReliableMQ ({@link io.reliablemq.message.ReliableMessage})
 * and the limits it is validated against before any I/O ({@link
 * io.reliablemq.message.MessageLimits}).
 */
package io.reliablemq.message;
