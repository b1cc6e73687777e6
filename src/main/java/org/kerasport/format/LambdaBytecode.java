package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognizes the one Lambda Keras 2 users wrote most, {@code lambda x: x / a - b} (or {@code x * a + b}, ...), in a
 * Python 3.5 marshalled code object (Keras 2.0 stored it as a latin-1 string), so that export can write the equivalent
 * {@code Rescaling} layer: Python 3.11 cannot unmarshal 3.5 bytecode. Anything else is left alone.
 */
final class LambdaBytecode {
    private LambdaBytecode() {
    }

    private static final int LOAD_FAST = 0x7c, LOAD_CONST = 0x64, RETURN = 0x53;
    private static final int MUL = 0x14, TRUE_DIV = 0x1b, ADD = 0x17, SUB = 0x18;

    /** A Rescaling config (plus "_expr" describing the function), or null when the bytecode is not of that form. */
    static ObjectNode asRescaling(ObjectNode cfg) {
        try {
            byte[] b = functionBytes(cfg);
            if (b == null) return null;
            int code = indexOfCode(b);
            if (code < 0) return null;
            int len = ByteBuffer.wrap(b, code + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            int p = code + 5;
            int[] ops = new int[len];
            for (int i = 0; i < len; i++) ops[i] = b[p + i] & 0xff;
            // Python 3.5: LOAD_FAST 0 ; LOAD_CONST i ; op1 ; LOAD_CONST j ; op2 ; RETURN_VALUE (args 2 bytes)
            if (len != 12 || ops[0] != LOAD_FAST || ops[1] != 0 || ops[3] != LOAD_CONST || ops[7] != LOAD_CONST || ops[11] != RETURN) return null;
            int c1 = ops[4], op1 = ops[6], c2 = ops[8], op2 = ops[10];
            List<Double> consts = consts(b, p + len);
            if (consts == null || c1 >= consts.size() || c2 >= consts.size() || consts.get(c1) == null || consts.get(c2) == null) return null;
            double a = consts.get(c1), o = consts.get(c2);
            double scale;
            if (op1 == TRUE_DIV) scale = 1.0 / a;
            else if (op1 == MUL) scale = a;
            else return null;
            double offset;
            if (op2 == SUB) offset = -o;
            else if (op2 == ADD) offset = o;
            else return null;
            ObjectNode r = Json.object();
            r.put("name", Json.text(cfg, "name"));
            r.put("trainable", true);
            r.put("dtype", "float32");
            r.put("scale", scale);
            r.put("offset", offset);
            r.put("_expr", (op1 == TRUE_DIV ? "/ " : "* ") + a + (op2 == SUB ? " - " : " + ") + o);
            return r;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A Keras 3 Resizing config for a Lambda whose function resizes with TensorFlow to a constant size, e.g. carnd's
     * {@code ktf.image.resize_images(x, (64, 64), align_corners=True)} (plus "_expr" describing it and
     * "_align_corners" when the original aligned corners, which Resizing does not), or null for anything else.
     */
    static ObjectNode asResizing(ObjectNode cfg) {
        try {
            byte[] b = functionBytes(cfg);
            if (b == null) return null;
            Object code = new Marshal(b).read();
            if (!(code instanceof List<?> parts) || parts.size() < 3) return null;
            List<?> consts = (List<?>) parts.get(1), names = (List<?>) parts.get(2);
            if (!names.contains("image") || !(names.contains("resize_images") || names.contains("resize"))) return null;
            List<Integer> size = null;
            boolean align = false;
            for (int i = 0; i < consts.size(); i++) {
                Object c = consts.get(i);
                if (c instanceof List<?> t && t.size() == 2 && t.get(0) instanceof Integer h && t.get(1) instanceof Integer w) size = List.of(h, w);
                if ("align_corners".equals(c) && i + 1 < consts.size() && Boolean.TRUE.equals(consts.get(i + 1))) align = true;
            }
            if (size == null) return null;
            ObjectNode r = Json.object();
            r.put("name", Json.text(cfg, "name"));
            r.put("trainable", true);
            r.put("dtype", "float32");
            r.put("height", size.get(0));
            r.put("width", size.get(1));
            r.put("interpolation", "bilinear");
            r.put("crop_to_aspect_ratio", false);
            r.put("data_format", "channels_last");
            r.put("_expr", "tf.image.resize_images(x, (" + size.get(0) + ", " + size.get(1) + ")" + (align ? ", align_corners=True" : "") + ")");
            if (align) r.put("_align_corners", true);
            return r;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The marshalled code of a Lambda config's function (latin-1 text or base64), or null for anything else. */
    private static byte[] functionBytes(ObjectNode cfg) {
        if (!"lambda".equals(Json.text(cfg, "function_type"))) return null;
        JsonNode f = cfg.get("function");
        if (f == null || !f.isArray() || !f.get(0).isTextual()) return null;
        String s = f.get(0).asText();
        return s.chars().allMatch(c -> c < 256) && !s.matches("[A-Za-z0-9+/=\\s]+")
                ? s.getBytes(StandardCharsets.ISO_8859_1) : java.util.Base64.getMimeDecoder().decode(s);
    }

    /**
     * Just enough of Python's marshal format (3.4–3.6) to read a lambda's code object: a code object is returned as
     * [code bytes, consts, names]; tuples as lists, ints, floats, strings, None, True, False; references resolved.
     */
    private static final class Marshal {
        private final ByteBuffer in;
        private final List<Object> refs = new ArrayList<>();

        Marshal(byte[] b) {
            in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }

        Object read() {
            int t = in.get() & 0xff;
            boolean ref = (t & 0x80) != 0;
            t &= 0x7f;
            int slot = -1;
            if (ref) {
                slot = refs.size();
                refs.add(null);
            }
            Object v = switch (t) {
                case 'N' -> null;
                case 'T' -> Boolean.TRUE;
                case 'F' -> Boolean.FALSE;
                case 'i' -> in.getInt();
                case 'g' -> in.getDouble();
                case 'r' -> refs.get(in.getInt());
                case 'z', 'Z' -> string(in.get() & 0xff);
                case 'a', 'A', 'u', 't', 's' -> t == 's' ? bytes(in.getInt()) : string(in.getInt());
                case ')' -> tuple(in.get() & 0xff);
                case '(' -> tuple(in.getInt());
                case 'c' -> code();
                default -> throw new IllegalArgumentException("marshal type " + (char) t);
            };
            if (slot >= 0) refs.set(slot, v);
            return v;
        }

        private String string(int n) {
            byte[] b = new byte[n];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private byte[] bytes(int n) {
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }

        private List<Object> tuple(int n) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < n; i++) out.add(read());
            return out;
        }

        private List<Object> code() {
            for (int i = 0; i < 5; i++) in.getInt(); // argcount, kwonlyargcount, nlocals, stacksize, flags
            Object codeBytes = read(), consts = read(), names = read();
            read(); read(); read(); read(); read(); // varnames, freevars, cellvars, filename, name
            in.getInt();                            // firstlineno
            read();                                 // lnotab
            return List.of(codeBytes, consts, names);
        }
    }

    /** The position of the code string's 's' marker (the first TYPE_STRING after the code object's header). */
    private static int indexOfCode(byte[] b) {
        if (b.length < 30 || (b[0] & 0x7f) != 'c') return -1;
        int p = 1 + 5 * 4 + 4; // argcount, kwonlyargcount, nlocals, stacksize, flags: 5 int32; then the code object
        p = 1 + 4 * 5;
        return (b[p] & 0x7f) == 's' ? p : -1;
    }

    /** The consts tuple right after the code string: floats (binary 'g') and None; null when it is something else. */
    private static List<Double> consts(byte[] b, int p) {
        int t = b[p] & 0x7f;
        int n;
        if (t == ')') { n = b[p + 1] & 0xff; p += 2; } else if (t == '(') { n = ByteBuffer.wrap(b, p + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(); p += 5; } else return null;
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = b[p] & 0x7f;
            if (k == 'N') { out.add(null); p += 1; }
            else if (k == 'g') { out.add(ByteBuffer.wrap(b, p + 1, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble()); p += 9; }
            else if (k == 'i') { out.add((double) ByteBuffer.wrap(b, p + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()); p += 5; }
            else return null;
        }
        return out;
    }
}
