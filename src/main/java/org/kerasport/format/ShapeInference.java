package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kerasport.model.InboundNode;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.TensorRef;

/**
 * Output shapes of a graph's layers (first call of each), for {@code inspect}. Shapes use null for free dimensions
 * (the batch). A layer whose shape cannot be worked out from its config gets null, never a guess.
 */
public final class ShapeInference {
    private static final Set<String> SAME_SHAPE = Set.of("Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
            "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "BatchNormalization",
            "SyncBatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "ReLU", "LeakyReLU",
            "PReLU", "ELU", "ThresholdedReLU", "Softmax", "Masking", "ActivityRegularization", "Rescaling", "Normalization",
            "Identity", "CustomScaleLayer", "LayerScale", "StochasticDepth", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
            "RandomContrast", "RandomBrightness",
            // RandomCrop: Keras 3 returns its input unchanged at inference (crops and resizes only in training)
            "RandomCrop");

    private ShapeInference() {
    }

    /** Layer name -> output shape (of its first call), null entries where unknown. */
    public static Map<String, Long[]> infer(KerasGraph g) {
        return infer(g, null);
    }

    private static Map<String, Long[]> infer(KerasGraph g, List<Long[]> inputShapes) {
        Map<String, Long[]> out = new HashMap<>();
        int nextInput = 0;
        for (LayerSpec l : g.layers()) {
            Long[] s;
            try {
                if (l.isInput()) {
                    s = inputShapes != null && nextInput < inputShapes.size() ? inputShapes.get(nextInput++) : shape(l.config().get("batch_shape"));
                } else {
                    List<Long[]> ins = new ArrayList<>();
                    if (!l.inboundNodes().isEmpty())
                        for (TensorRef r : l.inboundNodes().get(0).inputs()) ins.add(out.get(r.layer()));
                    else if (inputShapes != null && nextInput < inputShapes.size()) ins.add(inputShapes.get(nextInput++));
                    s = ins.isEmpty() || ins.contains(null) ? null : layer(l, ins);
                }
            } catch (RuntimeException e) {
                if (Boolean.getBoolean("kerasport.debugShapes")) e.printStackTrace();
                s = null; // a config this code does not understand: unknown, not a crash
            }
            out.put(l.name(), s);
        }
        return out;
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

    static Long[] shape(JsonNode n) {
        if (n == null || !n.isArray()) return null;
        Long[] s = new Long[n.size()];
        for (int i = 0; i < s.length; i++) s[i] = n.get(i).isNull() ? null : n.get(i).asLong();
        return s;
    }

    /** Output shape of one layer call given its input shapes (null when unknown). */
    public static Long[] outputShape(LayerSpec l, List<Long[]> ins) {
        try {
            return ins.contains(null) ? null : layer(l, ins);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Long[] layer(LayerSpec l, List<Long[]> ins) {
        JsonNode c = l.config();
        Long[] in = ins.get(0);
        String cls = l.className();
        if (SAME_SHAPE.contains(cls)) return in;
        boolean cf = "channels_first".equals(Json.text(c, "data_format"));
        switch (cls) {
            case "Dense": return with(in, in.length - 1, c.get("units").asLong());
            case "Flatten": {
                long p = 1;
                for (int i = 1; i < in.length; i++) { if (in[i] == null) return null; p *= in[i]; }
                return new Long[]{null, p};
            }
            case "Reshape": {
                Long[] t = shape(c.get("target_shape"));
                long total = 1, known = 1;
                for (int i = 1; i < in.length; i++) { if (in[i] == null) return null; total *= in[i]; }
                int free = -1;
                for (int i = 0; i < t.length; i++) if (t[i] == -1) free = i; else known *= t[i];
                if (free >= 0) t[free] = total / known;
                return prepend(t);
            }
            case "Permute": {
                Long[] d = shape(c.get("dims"));
                Long[] o = new Long[in.length];
                o[0] = in[0];
                for (int i = 0; i < d.length; i++) o[i + 1] = in[d[i].intValue()];
                return o;
            }
            case "RepeatVector": return new Long[]{in[0], c.get("n").asLong(), in[1]};
            case "Embedding": {
                Long[] o = Arrays.copyOf(in, in.length + 1);
                o[in.length] = c.get("output_dim").asLong();
                return o;
            }
            case "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
                 "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose": {
                long ch;
                if (cls.startsWith("Depthwise")) {
                    Long inCh = in[cf ? 1 : in.length - 1];
                    ch = inCh * (c.has("depth_multiplier") ? c.get("depth_multiplier").asLong() : 1);
                } else ch = c.get("filters").asLong();
                return spatial(in, cf, ch, c, cls.endsWith("Transpose") ? "deconv" : "conv");
            }
            case "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D":
                return spatial(in, cf, in[cf ? 1 : in.length - 1], c, "pool");
            case "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
                 "GlobalAveragePooling2D", "GlobalAveragePooling3D": {
                Long ch = in[cf ? 1 : in.length - 1];
                if (c.has("keepdims") && c.get("keepdims").asBoolean()) {
                    Long[] o = in.clone();
                    for (int i = 1; i < o.length; i++) if (i != (cf ? 1 : o.length - 1)) o[i] = 1L;
                    return o;
                }
                return new Long[]{in[0], ch};
            }
            case "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D": {
                int dims = in.length - 2;
                long[][] p = pairs(c.get(cls.startsWith("Zero") ? "padding" : "cropping"), dims);
                Long[] o = in.clone();
                for (int i = 0; i < dims; i++) {
                    int ax = cf ? i + 2 : i + 1;
                    if (o[ax] != null) o[ax] = o[ax] + (cls.startsWith("Zero") ? 1 : -1) * (p[i][0] + p[i][1]);
                }
                return o;
            }
            case "UpSampling1D", "UpSampling2D", "UpSampling3D": {
                int dims = in.length - 2;
                long[] f = ints(c.get(cls.equals("UpSampling1D") ? "size" : "size"), dims);
                Long[] o = in.clone();
                for (int i = 0; i < dims; i++) {
                    int ax = cf ? i + 2 : i + 1;
                    if (o[ax] != null) o[ax] = o[ax] * f[i];
                }
                return o;
            }
            case "LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU": {
                long u = c.get("units").asLong();
                boolean seq = c.has("return_sequences") && c.get("return_sequences").asBoolean();
                return seq ? new Long[]{in[0], in[1], u} : new Long[]{in[0], u};
            }
            case "Bidirectional": {
                LayerSpec f = l.inner().layers().get(0);
                Long[] o = layer(f, ins);
                String mode = Json.text(c, "merge_mode");
                if ("concat".equals(mode)) o = with(o, o.length - 1, o[o.length - 1] * 2);
                else if (mode == null) return null;
                return o;
            }
            case "TimeDistributed": {
                Long[] step = new Long[in.length - 1];
                step[0] = in[0];
                System.arraycopy(in, 2, step, 1, in.length - 2);
                Long[] o = layer(l.inner().layers().get(0), List.<Long[]>of(step));
                Long[] r = new Long[o.length + 1];
                r[0] = o[0];
                r[1] = in[1];
                System.arraycopy(o, 1, r, 2, o.length - 1);
                return r;
            }
            case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum": return broadcast(ins);
            // operation layers: their tensor inputs broadcast (a constant operand leaves the shape as it is)
            case "ops.numpy.Add", "ops.numpy.Subtract", "ops.numpy.Multiply", "ops.numpy.Divide", "ops.numpy.TrueDivide":
                return broadcast(ins);
            case "Concatenate": {
                int axis = c.has("axis") ? c.get("axis").asInt() : -1;
                int ax = axis < 0 ? in.length + axis : axis;
                long sum = 0;
                for (Long[] s : ins) { if (s[ax] == null) return with(in, ax, null); sum += s[ax]; }
                return with(in, ax, sum);
            }
            case "MultiHeadAttention": {
                Long[] os = shape(c.get("output_shape"));
                if (os != null) return concatShape(Arrays.copyOf(in, in.length - 1), os);
                return in;
            }
            // --- text/attention layers (issue 17) ---
            case "EinsumDense": {
                long[] ns = new long[in.length - 1];
                for (int i = 1; i < in.length; i++) ns[i - 1] = in[i];
                JsonNode os = c.get("output_shape");
                Long[] partial = os == null || os.isNull() ? new Long[0] : os.isNumber() ? new Long[]{os.asLong()} : shape(os);
                long[] o = EinsumPlan.of(Json.text(c, "equation"), ns, partial,
                        Json.isPresent(c, "bias_axes") ? c.get("bias_axes").asText() : null).outShape;
                Long[] r = new Long[o.length + 1];
                r[0] = in[0];
                for (int i = 0; i < o.length; i++) r[i + 1] = o[i];
                return r;
            }
            case "GroupedQueryAttention": return in;
            case "Attention", "AdditiveAttention": return with(in, in.length - 1, ins.get(1)[ins.get(1).length - 1]);
            case "Dot": {
                Long[] a = ins.get(0), b = ins.get(1);
                JsonNode ax = c.get("axes");
                int a0 = ax.isInt() ? ax.asInt() : ax.get(0).asInt(), a1 = ax.isInt() ? ax.asInt() : ax.get(1).asInt();
                a0 = a0 < 0 ? Math.floorMod(a0, a.length) : a0;
                a1 = a1 < 0 ? Math.floorMod(a1, b.length) : a1;
                List<Long> r = new java.util.ArrayList<>();
                r.add(a[0]);
                for (int i = 1; i < a.length; i++) if (i != a0) r.add(a[i]);
                for (int i = 1; i < b.length; i++) if (i != a1) r.add(b[i]);
                if (r.size() == 1) r.add(1L);
                return r.toArray(new Long[0]);
            }
            // --- end text/attention layers ---
            case "Lambda": { // the function is never run; trust only a declared output shape
                Long[] os = shape(c.get("output_shape"));
                return os == null ? null : prepend(os);
            }
            case "Sequential", "Functional": {
                Map<String, Long[]> inner = infer(l.inner(), ins);
                List<TensorRef> outs = l.inner().outputs();
                return outs.isEmpty() ? null : inner.get(outs.get(outs.size() - 1).layer());
            }
            default: return null;
        }
    }

    private static Long[] spatial(Long[] in, boolean cf, Long ch, JsonNode c, String kind) {
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
        o[cf ? 1 : in.length - 1] = ch;
        return o;
    }

    private static long[] ints(JsonNode n, int dims) {
        long[] r = new long[dims];
        for (int i = 0; i < dims; i++) r[i] = n == null || n.isNull() ? 1 : n.isArray() ? n.get(i).asLong() : n.asLong();
        return r;
    }

    private static long[][] pairs(JsonNode n, int dims) {
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

    private static Long[] with(Long[] s, int i, Long v) {
        Long[] o = s.clone();
        o[i] = v;
        return o;
    }

    private static Long[] prepend(Long[] t) {
        Long[] o = new Long[t.length + 1];
        System.arraycopy(t, 0, o, 1, t.length);
        return o;
    }

    private static Long[] concatShape(Long[] a, Long[] b) {
        Long[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    /** Helper for callers that print a node's inputs. */
    public static List<TensorRef> firstCallInputs(LayerSpec l) {
        List<InboundNode> n = l.inboundNodes();
        return n.isEmpty() ? List.of() : n.get(0).inputs();
    }
}
