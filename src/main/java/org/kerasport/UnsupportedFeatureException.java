package org.kerasport;

import java.nio.file.Path;
import java.util.List;

/** A valid Keras model uses features Kerasport does not support; every such item is reported at once. */
public class UnsupportedFeatureException extends KerasportException {
    private final List<UnsupportedItem> items;

    public UnsupportedFeatureException(Path file, List<UnsupportedItem> items) {
        super(format(file, items), null);
        this.items = List.copyOf(items);
    }

    /** A single unsupported request that is not a layer item (a stored optimizer state Kerasport cannot apply...). */
    public UnsupportedFeatureException(String message) {
        super(message, null);
        this.items = List.of();
    }

    private static String format(Path file, List<UnsupportedItem> items) {
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": ").append(items.size()).append(items.size() == 1 ? " unsupported item" : " unsupported items")
                .append(" (use --lenient to drop them with a warning each):");
        for (UnsupportedItem i : items) sb.append("\n  - ").append(i);
        return sb.toString();
    }

    public List<UnsupportedItem> items() {
        return items;
    }
}
