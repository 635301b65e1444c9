/** The Spring Boot starter against a real RocketMQ 5 broker and proxy. */
package io.reliablemq.it.spring;
