package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import org.kerasport.model.Regularizer;

/** Parses every serialized regularizer form Keras has written (KERAS_FORMATS.md §5.1). */
public final class RegularizerParser {
    private RegularizerParser() {
    }

    /** Thrown for a regularizer Kerasport cannot interpret (a custom class); the caller records it as unsupported. */
    public static final class UnknownRegularizer extends Exception {
        public final String className;

        UnknownRegularizer(String className, String why) {
            super(why);
            this.className = className;
        }
    }

    /**
     * @return the regularizer, or null for JSON null / absent
     */
    public static Regularizer parse(JsonNode n) throws UnknownRegularizer {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isTextual()) return fromIdentifier(n.asText());
        if (!n.isObject()) throw new UnknownRegularizer(n.toString(), "expected an object or a string, found " + n.getNodeType());
        // Keras 1.0-1.2: {"name": "WeightRegularizer"|"L1L2Regularizer"|"ActivityRegularizer", "l1":.., "l2":..}
        if (n.has("name") && !n.has("class_name") && !n.has("config")) {
            String name = n.get("name").asText();
            switch (name) {
                case "WeightRegularizer", "L1L2Regularizer", "ActivityRegularizer" -> {
                    return l1l2(value(n, "l1"), value(n, "l2"), name);
                }
                default -> throw new UnknownRegularizer(name, "unknown Keras 1 regularizer '" + name + "'");
            }
        }
        String cls = Json.text(n, "class_name");
        if (cls == null) throw new UnknownRegularizer(n.toString(), "regularizer without class_name");
        JsonNode cfg = n.get("config");
        String registered = Json.text(n, "registered_name");
        if (registered != null && !registered.equals(cls) && registered.contains(">"))
            throw new UnknownRegularizer(registered, "custom regularizer '" + registered + "' (Python code Kerasport cannot run)");
        switch (cls) {
            case "L1L2":
                return l1l2(value(cfg, "l1"), value(cfg, "l2"), cls);
            case "L1", "l1":
                return new Regularizer.L1(value(cfg, "l1"), cls);
            case "L2", "l2":
                return new Regularizer.L2(value(cfg, "l2"), cls);
            case "OrthogonalRegularizer", "orthogonal_regularizer": {
                Double f = Json.number(cfg, "factor");
                String mode = Json.text(cfg, "mode");
                return new Regularizer.Orthogonal(f == null ? 0.01 : f, mode == null ? "rows" : mode, cls);
            }
            default:
                throw new UnknownRegularizer(cls, "unknown regularizer class '" + cls + "'");
        }
    }

    private static double value(JsonNode cfg, String field) {
        Double d = Json.number(cfg, field);
        return d == null ? 0.0 : d;
    }

    /** L1L2 with one side zero is reported as what it is, L1L2, with its values; Keras 2.0-2.3 wrote every l2() that way. */
    private static Regularizer l1l2(double l1, double l2, String writtenAs) {
        return new Regularizer.L1L2(l1, l2, writtenAs);
    }

    /** String identifiers (Keras 3 semantics: 'l1'/'l2' = 0.01, 'l1l2' = 0/0; tf.keras 'l1_l2' = 0.01/0.01). */
    private static Regularizer fromIdentifier(String id) throws UnknownRegularizer {
        return switch (id.toLowerCase(Locale.ROOT)) {
            case "l1" -> new Regularizer.L1(0.01, id);
            case "l2" -> new Regularizer.L2(0.01, id);
            case "l1l2" -> new Regularizer.L1L2(0.0, 0.0, id);
            case "l1_l2" -> new Regularizer.L1L2(0.01, 0.01, id);
            case "orthogonal_regularizer" -> new Regularizer.Orthogonal(0.01, "rows", id);
            default -> throw new UnknownRegularizer(id, "unknown regularizer identifier '" + id + "'");
        };
    }
}
