package org.kerasport;

import java.util.Locale;

/**
 * Resource limits on untrusted input, checked from what a file declares (headers, shapes, configs) before the memory
 * is allocated. Each has a default, a system property ({@code -Dkerasport.max-tensor-bytes=...}, through
 * {@code KERASPORT_JAVA_OPTS} for the command line or {@code System.setProperty} for the library) and a command-line
 * flag of the same name ({@code --max-tensor-bytes}); the flag wins. README "Resource limits" lists them.
 *
 * <p>A value is a whole number, optionally with a binary suffix: {@code 512k}, {@code 64m}, {@code 4g} (powers of
 * 1024). A refusal's message names the limit, its value and both overrides ({@link #refusal}).
 */
public enum Limit {
    /** Elements in one tensor (weight or data array) in memory as float32, times 4. */
    TENSOR_BYTES("max-tensor-bytes", 4L << 30, "bytes of one tensor (weight or data array) in memory"),
    /** Weights (elements) of one model over all its layers, optimizer state not counted. */
    PARAMETERS("max-parameters", 2_000_000_000L, "parameters (weight elements) of one model"),
    /** Layers of one model config, nested models' layers included. */
    LAYERS("max-layers", 100_000, "layers in one model config (nested models included)"),
    /** Entries of one zip archive (.keras, .npz, DL4J zip). */
    ZIP_ENTRIES("max-zip-entries", 10_000, "entries in one zip archive"),
    /** Inflated size over compressed size of one zip entry (a zip bomb). */
    ZIP_RATIO("max-zip-ratio", 1000, "inflated/compressed size ratio of a zip entry"),
    /** Characters of one JSON document (a model config, training config, metadata). */
    JSON_BYTES("max-json-bytes", 64L << 20, "size of one JSON document (model config, metadata)"),
    /** Nesting depth of one JSON document. */
    JSON_DEPTH("max-json-depth", 200, "nesting depth of one JSON document"),
    /** Training or prediction data in memory (rows x features x 4 bytes); default: half the JVM's maximum heap. */
    DATA_BYTES("max-data-bytes", -1, "bytes of training/prediction data in memory (rows x features x 4)");

    /** The system property prefix: {@code kerasport.} + the flag name. */
    public static final String PREFIX = "kerasport.";

    private final String name;
    private final long fixedDefault;
    private final String what;

    Limit(String name, long fixedDefault, String what) {
        this.name = name;
        this.fixedDefault = fixedDefault;
        this.what = what;
    }

    /** The flag name without dashes, e.g. {@code max-tensor-bytes}. */
    public String flagName() {
        return name;
    }

    public String property() {
        return PREFIX + name;
    }

    public String what() {
        return what;
    }

    /** The default: fixed, except {@link #DATA_BYTES}, half of {@link Runtime#maxMemory()}. */
    public long defaultValue() {
        return fixedDefault >= 0 ? fixedDefault : Runtime.getRuntime().maxMemory() / 2;
    }

    /** The value in force: the system property when set (a malformed one is a usage error), else the default. */
    public long value() {
        String v = System.getProperty(property());
        if (v == null || v.isBlank()) return defaultValue();
        try {
            return parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("-D" + property() + "=" + v + ": " + e.getMessage());
        }
    }

    /** True when {@code amount} is above the limit. */
    public boolean exceededBy(long amount) {
        return amount > value();
    }

    /**
     * The message of a refusal: {@code what} (e.g. "dataset /model_weights/dense/kernel:0 of shape [1000000, 1000000]")
     * needs {@code amount}, above this limit; and how to raise it.
     */
    public String refusal(String what, long amount) {
        return what + " needs " + amount + (this == TENSOR_BYTES || this == JSON_BYTES || this == DATA_BYTES ? " bytes" : "")
                + ", above the limit on " + this.what + " (" + name + " = " + value() + "): refused before allocating;"
                + " if the file is trusted, raise it with --" + name + " N or -D" + property() + "=N";
    }

    /** A whole number with an optional binary suffix k, m, g, t (case-insensitive). */
    public static long parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace("_", "");
        long mult = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> mult = 1L << 10;
                case 'm' -> mult = 1L << 20;
                case 'g' -> mult = 1L << 30;
                case 't' -> mult = 1L << 40;
                default -> mult = 1;
            }
            if (mult > 1) t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number such as 1000, 64m or 4g, got '" + s + "'");
        }
        if (n < 0) throw new IllegalArgumentException("a limit cannot be negative: '" + s + "'");
        if (n > Long.MAX_VALUE / mult) throw new IllegalArgumentException("too large: '" + s + "'");
        return n * mult;
    }
}
