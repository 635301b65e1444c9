/** Actuator integration on Spring Boot 3.5: the health indicator {@code reliablemq}. */
package io.reliablemq.spring.actuate;
