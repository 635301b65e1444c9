/**
 * The operators' command-line tool over the fallback store file of a stopped application: count,
 * list (without bodies), unpark, delete, and the schema DDL.
 */
package io.reliablemq.fallback.tool;
