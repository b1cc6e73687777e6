package org.kerasport;

import java.nio.file.Path;

/** The file is not a readable Keras model: wrong container, truncated, corrupt, unsafe or missing a required part. */
public class MalformedModelException extends KerasportException {
    private final String file;
    private final String part;

    public MalformedModelException(Path file, String part, String message) {
        this(file, part, message, null);
    }

    public MalformedModelException(Path file, String part, String message, Throwable cause) {
        super(format(file, part, message), cause);
        this.file = file == null ? null : file.toString();
        this.part = part;
    }

    private static String format(Path file, String part, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file);
        if (part != null && !part.isEmpty()) sb.append(file != null ? ": " : "").append(part);
        if (sb.length() > 0) sb.append(": ");
        return sb.append(message).toString();
    }

    /** The file, as given by the user, or null. */
    public String file() {
        return file;
    }

    /** The offending part inside the file (an HDF5 path, a zip entry, a layer/field), or null. */
    public String part() {
        return part;
    }
}
