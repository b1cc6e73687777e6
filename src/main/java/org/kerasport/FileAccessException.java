package org.kerasport;

/** A file cannot be read or written, is missing, is a directory, or the output exists and may not be replaced. */
public class FileAccessException extends UserInputException {
    public FileAccessException(String message) {
        super(message, null);
    }

    public FileAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
