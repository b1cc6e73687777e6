package org.kerasport.cli;

import org.apache.commons.cli.CommandLine;
import org.kerasport.UsageException;

/** Typed option values with usage errors that name the option. */
final class OptionValues {
    private OptionValues() {
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
        throw new UsageException("--" + opt + " must be a positive whole number, got '" + v + "'");
    }

    static int nonNegativeInt(CommandLine cl, String opt) {
        String v = cl.getOptionValue(opt);
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--" + opt + " must be a whole number >= 0, got '" + v + "'");
    }

    static long longValue(CommandLine cl, String opt, long dflt) {
        if (!cl.hasOption(opt)) return dflt;
        String v = cl.getOptionValue(opt);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " must be a whole number, got '" + v + "'");
        }
    }

    /** A finite number, or null when the option is absent. */
    static Double doubleValue(CommandLine cl, String opt) {
        return cl.hasOption(opt) ? parseDouble(opt, cl.getOptionValue(opt)) : null;
    }

    static double parseDouble(String opt, String v) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--" + opt + " must be a number, got '" + v + "'");
    }

    static boolean bool(CommandLine cl, String opt, boolean dflt) {
        if (!cl.hasOption(opt)) return dflt;
        String v = cl.getOptionValue(opt).toLowerCase(java.util.Locale.ROOT);
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw new UsageException("--" + opt + " must be true or false, got '" + cl.getOptionValue(opt) + "'");
    }
}
