/** Implementation of the transactional template: sender, log, check, runner, metrics. */
package io.reliablemq.transaction.internal;
