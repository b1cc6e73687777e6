package org.kerasport;

/** The user asked for something that cannot be done as asked: a bad option value, a missing file, data that does not fit. */
public class UserInputException extends KerasportException {
    private final ExitCode code;

    public UserInputException(ExitCode code, String message) {
        this(code, message, null);
    }

    public UserInputException(ExitCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    @Override
    public ExitCode exitCode() {
        return code;
    }
}
