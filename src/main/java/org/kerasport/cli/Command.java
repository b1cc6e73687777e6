package org.kerasport.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One {@code kerasport} subcommand: its options, usage text and behaviour. */
interface Command {
    String name();

    /** One line for {@code kerasport --help}. */
    String summary();

    /** The positional arguments, for the usage line, e.g. {@code MODEL}. */
    String arguments();

    /** Extra help after the options (examples, what the output means). */
    String details();

    Options options();

    /** Runs the command; throws KerasportException subclasses for failures, returns the exit code otherwise. */
    int run(CommandLine cl, PrintStream out, PrintStream err);
}
