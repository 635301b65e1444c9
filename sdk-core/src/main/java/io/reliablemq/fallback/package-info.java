/**
 * The durable local fallback store: when the whole MQ is unreachable, {@code send} commits the
 * message here and returns {@code STORED}; a replayer delivers it when the broker is back, in order
 * within its message group. {@link io.reliablemq.fallback.FallbackStore} is the SPI; {@code
 * JdbcFallbackStore} (H2 file by default) the implementation.
 */
package io.reliablemq.fallback;
