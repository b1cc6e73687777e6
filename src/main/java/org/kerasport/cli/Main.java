package org.kerasport.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.kerasport.KerasportException;

/**
 * The {@code kerasport} command: dispatch on the first argument, {@code --help} to stdout with exit 0, errors to
 * stderr with a documented exit code ({@link ExitCode}).
 */
public final class Main {
    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.<Command>of(new InspectCommand(), new ConvertCommand(), new PredictCommand(), new FinetuneCommand(),
                new TuneDecayCommand(), new ExportCommand())) COMMANDS.put(c.name(), c);
    }

    private Main() {
    }

    public static void main(String[] args) {
        // DL4J and ND4J log a lot at start-up: quiet unless asked (KERASPORT_LOG=info|debug)
        String level = System.getenv().getOrDefault("KERASPORT_LOG", "warn");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        if (System.getenv("KERASPORT_LOG") == null) { // DL4J's and ND4J's warnings are about their internals, not the user's model
            System.setProperty("org.slf4j.simpleLogger.log.org.deeplearning4j", "error");
            System.setProperty("org.slf4j.simpleLogger.log.org.nd4j", "error");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("java.awt.headless", "true"); // plots render to PNG without a display
        org.kerasport.dl4j.runtime.Backend.init(); // ND4J's native build, before ND4J loads
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs the command line and returns the exit code; never calls System.exit (tests use this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help") && args.length == 1) {
            (args.length == 0 ? err : out).print(overview());
            return args.length == 0 ? ExitCode.USAGE.code : 0;
        }
        if (args[0].equals("--version")) {
            out.println("kerasport " + version());
            out.println("native: " + org.kerasport.dl4j.runtime.Backend.describe());
            out.println("blas: " + org.kerasport.dl4j.runtime.Backend.describeBlas());
            return 0;
        }
        if (args[0].equals("help") && args.length > 1) args = new String[]{args[1], "--help"};
        Command cmd = COMMANDS.get(args[0]);
        if (cmd == null) {
            err.println("kerasport: unknown command '" + args[0] + "'. Commands: " + String.join(", ", COMMANDS.keySet())
                    + ". See kerasport --help.");
            return ExitCode.USAGE.code;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Options options = cmd.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help and exit").build());
        CommandLine cl;
        try {
            cl = new DefaultParser().parse(options, rest);
        } catch (ParseException e) {
            err.println("kerasport " + cmd.name() + ": " + e.getMessage() + ". See kerasport " + cmd.name() + " --help.");
            return ExitCode.USAGE.code;
        }
        if (cl.hasOption("help")) {
            out.print(usage(cmd, options));
            return 0;
        }
        try {
            return cmd.run(cl, out, err);
        } catch (KerasportException e) {
            err.println("kerasport " + cmd.name() + ": " + e.getMessage());
            ExitCode code = ExitCode.of(e);
            if (code == ExitCode.USAGE) err.println("See kerasport " + cmd.name() + " --help.");
            return code.code;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            err.println("kerasport " + cmd.name() + ": internal error: " + e);
            if (System.getenv("KERASPORT_DEBUG") != null) e.printStackTrace(err);
            else err.println("(set KERASPORT_DEBUG=1 for the stack trace, and please report it)");
            return ExitCode.INTERNAL.code;
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String overview() {
        StringBuilder sb = new StringBuilder();
        sb.append("kerasport ").append(version()).append(" - Keras models on the JVM, with exact weight decay\n\n");
        sb.append("Usage: kerasport COMMAND [options]   (kerasport COMMAND --help for its options)\n\nCommands:\n");
        for (Command c : COMMANDS.values()) sb.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        sb.append("\nExit codes:\n");
        for (ExitCode c : ExitCode.values()) sb.append(String.format("  %d  %s%n", c.code, c.meaning));
        sb.append("\nEnvironment: KERASPORT_LOG=info|debug shows library logging (default warn); KERASPORT_DEBUG=1 prints stack traces.\n");
        return sb.toString();
    }

    private static String usage(Command cmd, Options options) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        HelpFormatter hf = new HelpFormatter();
        hf.setWidth(100);
        hf.printHelp(pw, 100, "kerasport " + cmd.name() + " " + cmd.arguments() + " [options]",
                "\n" + cmd.summary() + "\n\nOptions:", options, 2, 4, "\n" + cmd.details(), false);
        pw.flush();
        return sw.toString();
    }
}
