/**
 * Spring Boot auto-configuration for ReliableMQ: properties under {@code reliablemq.*}, producer,
 * template and annotation-driven listeners. Arrives with the Spring Boot starter issue.
 */
package io.reliablemq.spring;
