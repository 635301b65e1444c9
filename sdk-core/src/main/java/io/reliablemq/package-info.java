/**
 * ReliableMQ: zero-loss messaging on Apache RocketMQ 5.
 *
 * <p>The root package holds the exception hierarchy shared by every feature package: {@link
 * io.reliablemq.ReliableMQException} and its few meaningful subclasses.
 */
package io.reliablemq;
