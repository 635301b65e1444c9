/**
 * Benchmarks of the SDK against the raw RocketMQ client on the same embedded broker. Arrives with
 * the benchmark issue.
 */
package io.reliablemq.bench;
