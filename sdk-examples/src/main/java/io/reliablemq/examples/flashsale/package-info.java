/**
 * The flash-sale demo: a Spring Boot application that sells a limited stock to thousands of
 * concurrent buyers, sends the winners' orders through {@link
 * io.reliablemq.spring.ReliableTemplate}, kills the broker in the middle of the sale, and
 * reconciles at the end that no order was lost and no unit was oversold.
 */
package io.reliablemq.examples.flashsale;
