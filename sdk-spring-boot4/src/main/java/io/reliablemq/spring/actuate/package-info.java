/** Actuator integration on Spring Boot 4: the health indicator {@code reliablemq}. */
package io.reliablemq.spring.actuate;
