/**
 * Transactional messages in Spring: {@link
 * io.reliablemq.spring.transaction.ReliableTransactionHandler} checkers for business-specific
 * check-backs.
 */
package io.reliablemq.spring.transaction;
