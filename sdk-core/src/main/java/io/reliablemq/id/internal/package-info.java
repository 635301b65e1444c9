/** Id generator implementations; not a public API. */
package io.reliablemq.id.internal;
