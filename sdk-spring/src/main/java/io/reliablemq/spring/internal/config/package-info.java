/**
 * The bean definitions both starters share: each starter's auto-configuration imports them and adds
 * what differs by Spring Boot line (ordering names, health types, the Jackson line). Not API.
 */
package io.reliablemq.spring.internal.config;
