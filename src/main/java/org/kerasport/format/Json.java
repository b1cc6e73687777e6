package org.kerasport.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.kerasport.MalformedModelException;

/** JSON parsing of Keras configs, with limits (model files are untrusted) and errors that name the file and the part. */
public final class Json {
    /** Python's json writes NaN and Infinity; Keras configs may carry them (e.g. clipnorm=inf). */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(200)
                .maxStringLength(64 << 20)
                .maxNumberLength(1000)
                .build());
    }

    private Json() {
    }

    public static JsonNode parse(String text, Path file, String part) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) throw new MalformedModelException(file, part, "empty JSON");
            return n;
        } catch (JsonProcessingException e) {
            throw new MalformedModelException(file, part, "malformed JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        }
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Text of a field, or null when absent or JSON null. */
    public static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public static Double number(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || !v.isNumber() ? null : v.doubleValue();
    }

    public static Boolean bool(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || !v.isBoolean() ? null : v.booleanValue();
    }

    public static boolean isPresent(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && !v.isNull();
    }

    public static String compact(JsonNode n) {
        return n == null ? "null" : n.toString();
    }
}
