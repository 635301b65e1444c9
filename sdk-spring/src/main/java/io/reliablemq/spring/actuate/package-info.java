/** Actuator integration: the health indicator and the {@code reliablemq} endpoint. */
package io.reliablemq.spring.actuate;
