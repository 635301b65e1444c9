/**
 * Spring Boot auto-configuration of ReliableMQ and its properties under {@code reliablemq.*}. Every
 * bean backs off when the application defines its own.
 */
package io.reliablemq.spring.autoconfigure;
