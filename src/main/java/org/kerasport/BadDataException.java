package org.kerasport;

/** Input data does not fit the model: shape, dtype, missing arrays or columns, non-finite values, bad class ids. */
public class BadDataException extends UserInputException {
    public BadDataException(String message) {
        super(message, null);
    }

    public BadDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
