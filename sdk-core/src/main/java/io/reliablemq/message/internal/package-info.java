/** Implementation of message validation; not a public API. */
package io.reliablemq.message.internal;
