package org.kerasport.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.kerasport.UsageException;

/** What every command that takes a MODEL shares: the one positional argument and the weights + JSON options. */
final class ModelArgs {
    private ModelArgs() {
    }

    /** Adds {@code --arch JSON} (for a weights-only MODEL) and {@code --weights H5} (for a JSON architecture MODEL). */
    static void addSourceOptions(Options o) {
        o.addOption(Option.builder().longOpt("arch").hasArg().argName("JSON").desc("architecture (model.to_json()) for a weights-only MODEL").build());
        o.addOption(Option.builder().longOpt("weights").hasArg().argName("H5").desc("weights file for a JSON architecture MODEL").build());
    }

    /** The companion file of a weights-only or JSON-only MODEL, or null. */
    static Path companion(CommandLine cl) {
        if (cl.hasOption("arch") && cl.hasOption("weights"))
            throw new UsageException("give --arch (for a weights file) or --weights (for a JSON architecture), not both");
        return cl.hasOption("arch") ? Path.of(cl.getOptionValue("arch")) : cl.hasOption("weights") ? Path.of(cl.getOptionValue("weights")) : null;
    }

    /** The one MODEL argument of {@code command}. */
    static Path model(CommandLine cl, String command) {
        List<String> args = cl.getArgList();
        if (args.size() != 1) throw new UsageException(command + " takes one MODEL file (got " + args.size() + ")");
        return Path.of(args.get(0));
    }
}
