/**
 * Spring Boot integration of ReliableMQ: {@link io.reliablemq.spring.ReliableTemplate} to send
 * application objects; auto-configuration, listeners and Actuator support live in sub-packages.
 */
package io.reliablemq.spring;
