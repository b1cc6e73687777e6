package org.kerasport.train.report;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Numbers and JSON the way Python writes them, so the files Kerasport writes read like the ones Keras users know:
 * {@code repr(float)} ({@code 0.0001}, {@code 1e-05}, {@code 1.0}) and {@code json.dump(obj, indent=1)}.
 */
final class PyFormat {
    private PyFormat() {
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, fixed notation for 1e-4 ≤ |x| < 1e16, else {@code 1.5e-05}. */
    static String repr(double x) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        if (x == 0) return (1 / x < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        String digits = bd.unscaledValue().abs().toString();
        int exp10 = digits.length() - 1 - bd.scale();
        String sign = x < 0 ? "-" : "";
        if (exp10 >= -4 && exp10 < 16) {
            String plain = bd.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exp10 < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp10));
    }

    /** Keras' progress-bar form of a metric: {@code 0.1023} when |x| > 1e-3, else {@code 1.2346e-04}. */
    static String metric(double x) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, Math.abs(x) > 1e-3 ? "%.4f" : "%.4e", x);
    }

    /** {@code json.dump(value, f, indent=1)}: maps, lists, numbers (non-finite as NaN/Infinity), strings, booleans, null. */
    static String json(Object value) {
        StringBuilder sb = new StringBuilder();
        json(sb, value, 0);
        return sb.toString();
    }

    private static void json(StringBuilder sb, Object v, int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : repr(d));
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            String sep = "";
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(sep).append('\n').append(" ".repeat(depth + 1));
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                json(sb, e.getValue(), depth + 1);
                sep = ",";
            }
            sb.append('\n').append(" ".repeat(depth)).append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            String sep = "";
            for (Object o : l) {
                sb.append(sep).append('\n').append(" ".repeat(depth + 1));
                json(sb, o, depth + 1);
                sep = ",";
            }
            sb.append('\n').append(" ".repeat(depth)).append(']');
        } else {
            string(sb, v.toString());
        }
    }

    /** A JSON string as Python writes it with ensure_ascii (non-ASCII as \\uXXXX). */
    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** One CSV field as Python's csv module (excel dialect) writes it: quoted when it holds a comma, quote or newline. */
    static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
