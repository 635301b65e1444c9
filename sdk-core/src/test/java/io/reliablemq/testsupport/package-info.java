/** Test support shared through the sdk-core test-jar: real database servers for store tests. */
package io.reliablemq.testsupport;
