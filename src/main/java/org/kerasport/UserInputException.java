package org.kerasport;

/**
 * The user asked for something that cannot be done as asked. The subclass says which kind:
 * {@link UsageException} (a bad option value or request), {@link FileAccessException} (a file cannot be read or
 * written, or the output exists) and {@link BadDataException} (data that does not fit the model).
 */
public abstract class UserInputException extends KerasportException {
    protected UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
