package org.kerasport.format.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.LayerSpec;

/**
 * The shape arithmetic the output-shape rules share. A shape is a {@code Long[]} with null for a free dimension (the
 * batch); a rule that cannot work a shape out returns null, never a guess.
 */
public final class Shapes {
    private Shapes() {
    }

    /** What a rule of a wrapper or a nested model asks {@code format.ShapeInference} for. */
    public interface Inner {
        /** The output shape of {@code layer} called on {@code inputs} (null when unknown). */
        Long[] layer(LayerSpec layer, List<Long[]> inputs);

        /** The shape of the last output of {@code graph} called on {@code inputs} (null when unknown). */
        Long[] model(KerasGraph graph, List<Long[]> inputs);
    }

    /** A JSON list of dimensions (null entries free), or null. */
    public static Long[] of(JsonNode n) {
        if (n == null || !n.isArray()) return null;
        Long[] s = new Long[n.size()];
        for (int i = 0; i < s.length; i++) s[i] = n.get(i).isNull() ? null : n.get(i).asLong();
        return s;
    }

    /**
     * Output shape of a Keras element-wise merge (base_merge.py's _compute_elemwise_op_output_shape): the non-batch
     * axes aligned at the end, a size 1 taking the other size, a free axis staying free; null when they disagree.
     */
    public static Long[] broadcast(List<Long[]> ins) {
        Long[] out = null;
        for (Long[] s : ins) {
            if (out == null) {
                out = s.clone();
                continue;
            }
            Long[] a = out.length >= s.length ? out : s, b = out.length >= s.length ? s : out;
            Long[] r = a.clone();
            for (int k = 1; k < b.length; k++) {
                int ia = a.length - k, ib = b.length - k;
                Long i = a[ia], j = b[ib];
                if (i == null || j == null) r[ia] = null;
                else if (i == 1) r[ia] = j;
                else if (j == 1 || i.equals(j)) r[ia] = i;
                else return null;
            }
            r[0] = a[0] != null ? a[0] : b[0];
            out = r;
        }
        return out;
    }

    /** The channel axis of {@code in}: 1 channels-first, last otherwise. */
    static int channelAxis(Long[] in, boolean cf) {
        return cf ? 1 : in.length - 1;
    }

    /**
     * A convolution or pooling window over the spatial axes: {@code kind} is conv, deconv (transposed) or pool;
     * {@code ch} the output channels.
     */
    static Long[] spatial(Long[] in, boolean cf, Long ch, JsonNode c, String kind) {
        int dims = in.length - 2;
        long[] k = ints(c.get(kind.equals("pool") ? "pool_size" : "kernel_size"), dims);
        JsonNode sn = c.get("strides");
        long[] s = sn == null || sn.isNull() ? (kind.equals("pool") ? k : ints(null, dims)) : ints(sn, dims);
        long[] d = ints(c.get("dilation_rate"), dims);
        String pad = c.has("padding") ? c.get("padding").asText() : "valid";
        Long[] o = new Long[in.length];
        o[0] = in[0];
        for (int i = 0; i < dims; i++) {
            Long n = in[cf ? i + 2 : i + 1];
            Long r = null;
            if (n != null) {
                long ek = (k[i] - 1) * d[i] + 1;
                if (kind.equals("deconv")) r = pad.equals("same") ? n * s[i] : n * s[i] + Math.max(ek - s[i], 0);
                else if (pad.equals("same") || pad.equals("causal")) r = (n + s[i] - 1) / s[i];
                else r = (n - ek) / s[i] + 1;
            }
            o[cf ? i + 2 : i + 1] = r;
        }
        o[channelAxis(in, cf)] = ch;
        return o;
    }

    /** An int or a list of {@code dims} ints (1 each when absent). */
    static long[] ints(JsonNode n, int dims) {
        long[] r = new long[dims];
        for (int i = 0; i < dims; i++) r[i] = n == null || n.isNull() ? 1 : n.isArray() ? n.get(i).asLong() : n.asLong();
        return r;
    }

    /** (before, after) per spatial axis, from an int, a list of ints or a list of pairs. */
    static long[][] pairs(JsonNode n, int dims) {
        long[][] r = new long[dims][2];
        if (dims == 1 && n.isArray() && n.size() == 2 && n.get(0).isNumber()) { // 1-D: (before, after)
            r[0][0] = n.get(0).asLong();
            r[0][1] = n.get(1).asLong();
            return r;
        }
        for (int i = 0; i < dims; i++) {
            JsonNode e = n.isArray() ? n.get(i) : n;
            if (e.isArray()) { r[i][0] = e.get(0).asLong(); r[i][1] = e.get(1).asLong(); }
            else { r[i][0] = e.asLong(); r[i][1] = e.asLong(); }
        }
        return r;
    }

    static Long[] with(Long[] s, int i, Long v) {
        Long[] o = s.clone();
        o[i] = v;
        return o;
    }

    /** A batch dimension (free) before {@code t}. */
    static Long[] prepend(Long[] t) {
        Long[] o = new Long[t.length + 1];
        System.arraycopy(t, 0, o, 1, t.length);
        return o;
    }

    static Long[] concat(Long[] a, Long[] b) {
        Long[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
