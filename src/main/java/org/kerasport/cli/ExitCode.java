package org.kerasport.cli;

import org.kerasport.BadDataException;
import org.kerasport.FileAccessException;
import org.kerasport.MalformedModelException;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UsageException;

/**
 * Documented exit codes of the {@code kerasport} command (README: "Exit codes"). A command-line concept: the library
 * throws typed exceptions and {@link #of} maps each type to its code.
 */
public enum ExitCode {
    OK(0, "success"),
    INTERNAL(1, "internal error (a bug in Kerasport: please report it with the command line)"),
    USAGE(2, "usage error: unknown command or option, missing or invalid argument"),
    MALFORMED_MODEL(3, "the model file is not a readable Keras model (not HDF5/zip, truncated, corrupt, unsafe, missing parts)"),
    UNSUPPORTED(4, "the model is valid Keras but uses something Kerasport does not support"),
    BAD_DATA(5, "input data does not fit the model (shape, dtype, missing keys)"),
    IO(6, "file system error: cannot read or write a file, or the output exists (use --force)");

    public final int code;
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The exit code for a failure: one per exception type; anything else is an internal error. */
    public static ExitCode of(Throwable e) {
        if (e instanceof UsageException) return USAGE;
        if (e instanceof FileAccessException) return IO;
        if (e instanceof BadDataException) return BAD_DATA;
        if (e instanceof MalformedModelException) return MALFORMED_MODEL;
        if (e instanceof UnsupportedFeatureException) return UNSUPPORTED;
        return INTERNAL;
    }
}
