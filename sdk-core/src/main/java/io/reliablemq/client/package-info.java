/** Connection settings shared by every ReliableMQ producer and consumer. */
package io.reliablemq.client;
