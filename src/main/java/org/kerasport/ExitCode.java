package org.kerasport;

/** Documented exit codes of the {@code kerasport} command (README: "Exit codes"). */
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
}
