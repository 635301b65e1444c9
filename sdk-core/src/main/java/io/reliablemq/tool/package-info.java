/** The single entry point of the operators' tool jar, which dispatches to its subcommands. */
package io.reliablemq.tool;
