/**
 * Transactional send with automatic check-back: {@link
 * io.reliablemq.transaction.TransactionalSender} runs the business's local transaction between the
 * half message and its commit and writes a transaction-log row in the same database transaction, so
 * the broker's check-back can be answered from the log even after the producer died. {@link
 * io.reliablemq.producer.TransactionCheck} is the one check every SDK producer of the process
 * answers with.
 */
package io.reliablemq.transaction;
