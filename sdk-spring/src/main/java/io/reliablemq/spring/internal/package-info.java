/** Implementation of the Spring integration; not API, may change without notice. */
package io.reliablemq.spring.internal;
