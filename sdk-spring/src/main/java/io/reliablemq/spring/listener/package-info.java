/**
 * Annotation-driven listeners: {@link io.reliablemq.spring.listener.ReliableMessageListener} on
 * bean methods, and the {@link io.reliablemq.spring.listener.ReliableListenerRegistry} that runs
 * their containers.
 */
package io.reliablemq.spring.listener;
