package org.kerasport;

/** A bad option value, a missing or contradictory argument, or a request the library cannot carry out as asked. */
public class UsageException extends UserInputException {
    public UsageException(String message) {
        super(message, null);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
