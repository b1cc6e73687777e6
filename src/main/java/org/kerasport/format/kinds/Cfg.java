package org.kerasport.format.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading and editing layer config fields, for the descriptors. */
final class Cfg {
    private Cfg() {
    }

    /** Text of a field, or null when absent or JSON null. */
    static String text(JsonNode c, String field) {
        JsonNode v = c == null ? null : c.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A boolean field, {@code absent} when the field is missing. */
    static boolean flag(JsonNode c, String field, boolean absent) {
        return !c.has(field) ? absent : c.get(field).asBoolean(absent);
    }

    static boolean isPresent(JsonNode c, String field) {
        JsonNode v = c == null ? null : c.get(field);
        return v != null && !v.isNull();
    }

    /** True unless {@code use_bias} is false. */
    static boolean bias(JsonNode c) {
        return flag(c, "use_bias", true);
    }

    static void rename(ObjectNode cfg, String from, String to) {
        if (cfg.has(from)) {
            if (!cfg.has(to)) cfg.set(to, cfg.get(from));
            cfg.remove(from);
        }
    }

    static boolean channelsFirst(JsonNode c) {
        return "channels_first".equals(text(c, "data_format"));
    }

    /** Keras' {@code to_snake_case}: the group name a class gets in a {@code .keras} weights file. */
    static String snakeCase(String className) {
        String n = className.replaceAll("\\W+", "");
        n = n.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        n = n.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
        return n;
    }
}
