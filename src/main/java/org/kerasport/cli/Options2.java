package org.kerasport.cli;

import org.apache.commons.cli.CommandLine;
import org.kerasport.ExitCode;
import org.kerasport.UserInputException;

/** Typed option values with usage errors that name the option. */
final class Options2 {
    private Options2() {
    }

    static int positiveInt(CommandLine cl, String opt, int dflt) {
        if (!cl.hasOption(opt)) return dflt;
        String v = cl.getOptionValue(opt);
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserInputException(ExitCode.USAGE, "--" + opt + " must be a positive whole number, got '" + v + "'");
    }
}
