/**
 * The zero-loss fault suite: a producer and a consumer application in child JVMs, a seeded nemesis
 * that kills, pauses and restarts the broker and both applications, and a checker that reconciles
 * what the producer acknowledged with what the consumer processed.
 */
package io.reliablemq.it.fault;
