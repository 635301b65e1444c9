/** Implementation of the Spring Boot 3.5 starter; not API, may change without notice. */
package io.reliablemq.spring.internal;
