/**
 * The relay's implementation over the RocketMQ 5 simple consumer: receiving in batches lets the
 * relay decide when each source message is acknowledged (after its copy was SENT or STORED) and
 * keep one copy in flight per message group, which the push consumer's listener contract hides.
 */
package io.reliablemq.relay.internal;
