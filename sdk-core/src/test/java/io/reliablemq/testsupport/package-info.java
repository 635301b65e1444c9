/**
 * Test support shared through the sdk-core test-jar: real database servers for store tests, a local
 * port that plays a proxy going down and coming back.
 */
package io.reliablemq.testsupport;
