package org.kerasport;

/**
 * Root of Kerasport's small exception hierarchy. Each subclass maps to one documented CLI exit code
 * (see {@link ExitCode}); messages name the file, the part of it and what to do next.
 */
public abstract class KerasportException extends RuntimeException {
    protected KerasportException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process exit code the CLI uses for this kind of failure. */
    public abstract ExitCode exitCode();
}
