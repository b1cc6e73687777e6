package org.kerasport.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.kerasport.Limit;
import org.kerasport.MalformedModelException;

/** JSON parsing of Keras configs, with limits (model files are untrusted) and errors that name the file and the part. */
public final class Json {
    /** Python's json writes NaN and Infinity; Keras configs may carry them (e.g. clipnorm=inf). */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(constraints(Limit.JSON_DEPTH.defaultValue()));
    }

    /** The mapper of {@link #parse}, rebuilt when {@link Limit#JSON_DEPTH} changes (a flag or property). */
    private static volatile ObjectMapper limited = MAPPER;
    private static volatile long limitedDepth = Limit.JSON_DEPTH.defaultValue();

    private static StreamReadConstraints constraints(long depth) {
        return StreamReadConstraints.builder()
                .maxNestingDepth((int) Math.min(depth, Integer.MAX_VALUE))
                .maxStringLength((int) Math.min(Limit.JSON_BYTES.defaultValue(), Integer.MAX_VALUE))
                .maxNumberLength(1000)
                .build();
    }

    private static ObjectMapper mapper(long depth) {
        if (depth != limitedDepth) {
            ObjectMapper m = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
            m.getFactory().setStreamReadConstraints(constraints(depth));
            limited = m;
            limitedDepth = depth;
        }
        return limited;
    }

    private Json() {
    }

    /**
     * Parses untrusted JSON: larger than {@link Limit#JSON_BYTES} characters or nested deeper than
     * {@link Limit#JSON_DEPTH} is refused with a message naming the limit.
     */
    public static JsonNode parse(String text, Path file, String part) {
        if (Limit.JSON_BYTES.exceededBy(text.length()))
            throw new MalformedModelException(file, part, Limit.JSON_BYTES.refusal("this JSON document", text.length()));
        long depth = Limit.JSON_DEPTH.value();
        try {
            JsonNode n = mapper(depth).readTree(text);
            if (n == null || n.isMissingNode()) throw new MalformedModelException(file, part, "empty JSON");
            return n;
        } catch (StreamConstraintsException e) {
            throw new MalformedModelException(file, part, e.getMessage().contains("nesting depth")
                    ? Limit.JSON_DEPTH.refusal("this JSON document (nested deeper than " + depth + ")", depth + 1)
                    : "JSON beyond a parser limit: " + e.getOriginalMessage(), e);
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
