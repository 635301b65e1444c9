/**
 * Security against a real broker that enforces RocketMQ ACL 2.0: authentication and authorization
 * outcomes as the SDK reports them, and the log-leak check with every logger at TRACE.
 */
package io.reliablemq.it.security;
