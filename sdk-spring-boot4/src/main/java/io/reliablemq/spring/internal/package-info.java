/** Implementation of the Spring Boot 4 starter; not API, may change without notice. */
package io.reliablemq.spring.internal;
