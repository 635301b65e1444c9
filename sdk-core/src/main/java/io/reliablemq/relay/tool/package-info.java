/**
 * The operators' command line for {@link io.reliablemq.relay.BacklogRelay}: {@code java -jar
 * reliablemq-core-<version>-fallback-tool.jar relay --endpoints ... --from TOPIC --group G --to
 * TOPIC2}.
 */
package io.reliablemq.relay.tool;
