package org.kerasport;

/**
 * Root of Kerasport's small exception hierarchy: {@link MalformedModelException}, {@link UnsupportedFeatureException}
 * and the {@link UserInputException} kinds. The type says what went wrong (the command line maps each type to its
 * exit code); messages name the file, the part of it and what to do next.
 */
public abstract class KerasportException extends RuntimeException {
    protected KerasportException(String message, Throwable cause) {
        super(message, cause);
    }
}
