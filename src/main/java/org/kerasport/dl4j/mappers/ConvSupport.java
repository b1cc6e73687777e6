package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasReshapeVertex;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/**
 * What the convolution, pooling and spatial mappers share: reading Keras config fields, and running a 1-D layer as
 * the 2-D one on (steps, 1) images. Every DL4J array equals its Keras tensor (channels last), so a 1-D layer becomes:
 * reshape (n, t, c) → (n, t, 1, c), the DL4J 2-D layer in NHWC with kernel (k, 1), reshape back.
 */
final class ConvSupport {
    private ConvSupport() {
    }

    /** 1, 2 or 3 from a class name such as Conv1D or GlobalMaxPooling3D. */
    static int dims(String className) {
        for (int d = 1; d <= 3; d++) if (className.contains(d + "D")) return d;
        return 2;
    }

    /** An int or a list of ints (one per spatial axis); dflt when absent or null. */
    static int[] ints(JsonNode c, String field, int dims, int dflt) {
        JsonNode n = c.get(field);
        int[] r = new int[dims];
        for (int i = 0; i < dims; i++)
            r[i] = n == null || n.isNull() ? dflt : n.isArray() ? n.get(Math.min(i, n.size() - 1)).asInt() : n.asInt();
        return r;
    }

    /** Keras padding/cropping amounts: int, (sym_1, sym_2 ...) or ((before, after), ...), as [axis][before, after]. */
    static int[][] pairs(JsonNode n, int dims) {
        int[][] r = new int[dims][2];
        if (n == null || n.isNull()) return r;
        if (dims == 1 && n.isArray() && n.size() == 2 && n.get(0).isNumber()) {
            r[0][0] = n.get(0).asInt();
            r[0][1] = n.get(1).asInt();
            return r;
        }
        for (int i = 0; i < dims; i++) {
            JsonNode e = n.isArray() ? n.get(i) : n;
            if (e.isArray()) {
                r[i][0] = e.get(0).asInt();
                r[i][1] = e.get(1).asInt();
            } else {
                r[i][0] = e.asInt();
                r[i][1] = e.asInt();
            }
        }
        return r;
    }

    static boolean channelsFirst(LayerSpec l) {
        return "channels_first".equals(Json.text(l.config(), "data_format"));
    }

    static String padding(LayerSpec l) {
        String p = Json.text(l.config(), "padding");
        return p == null ? "valid" : p.toLowerCase(java.util.Locale.ROOT);
    }

    /** DL4J mode for Keras 'valid' (Truncate: floor((n − k)/s) + 1, the rest ignored) and 'same' (TF's padding split). */
    static ConvolutionMode mode(String padding) {
        return padding.equals("same") ? ConvolutionMode.Same : ConvolutionMode.Truncate;
    }

    static boolean useBias(LayerSpec l) {
        Boolean b = Json.bool(l.config(), "use_bias");
        return b == null || b;
    }

    /** The layer's variable with this role (names differ across versions: depthwise 'kernel' vs 'depthwise_kernel'). */
    static WeightSpec byRole(LayerSpec l, String role) {
        for (WeightSpec w : l.weights()) if (role.equals(w.role())) return w;
        return null;
    }

    /** Checks the input rank and data format; reports and returns false when the layer cannot be mapped. */
    static boolean checkInput(LayerSpec l, Long[] in, int rank, MappingContext ctx) {
        if (channelsFirst(l)) {
            ctx.unsupported(l, "data_format", "data_format 'channels_first' is not supported yet (only channels_last);"
                    + " re-save the model with channels_last layers");
            return false;
        }
        if (in == null || in.length != rank) {
            ctx.unsupported(l, "input", l.className() + " expects a " + rank + "-D input (batch first), got "
                    + (in == null ? "an unknown shape" : Arrays.toString(in)));
            return false;
        }
        return true;
    }

    /** (n, t, c) → (n, t, 1, c). */
    static Long[] as2d(Long[] s) {
        return new Long[]{s[0], s[1], 1L, s[2]};
    }

    static long[] target(Long[] shapeWithBatch) {
        long[] t = new long[shapeWithBatch.length - 1];
        for (int i = 0; i < t.length; i++) t[i] = shapeWithBatch[i + 1] == null ? -1 : shapeWithBatch[i + 1];
        return t;
    }

    /** Adds a channels-last reshape vertex from input to the Keras shape {@code to} (batch first). */
    static String reshape(MappingContext ctx, String vertex, String input, Long[] to) {
        ctx.addVertex(vertex, new KerasReshapeVertex(target(to)), to, List.of(input));
        return vertex;
    }

    /** Runs a 2-D DL4J layer builder on a 1-D Keras tensor: returns the vertex producing (n, t', c'). */
    interface Layer2d {
        /** Adds the 2-D layer(s) reading {@code in2d}; returns the vertex producing the 2-D output. */
        String add(String in2d);
    }

    static String via2d(MappingContext ctx, String vertex, String input, Long[] in3d, Long[] out3d, Layer2d layer) {
        String in2d = reshape(ctx, vertex + "__2d", input, as2d(in3d));
        String out2d = layer.add(in2d);
        return reshape(ctx, vertex + "__1d", out2d, out3d);
    }
}
