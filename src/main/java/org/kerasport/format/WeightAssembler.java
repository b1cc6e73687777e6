package org.kerasport.format;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.kerasport.MalformedModelException;
import org.kerasport.format.kinds.LayerKind;
import org.kerasport.format.kinds.LayerKinds;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/**
 * Pairs the arrays a container stores for a layer with the variables {@link WeightLayout} expects, converting
 * Keras 1 layouts to Keras 2/3 ones on the way as each class's {@link LayerKind#keras1Weights()} says (12-array LSTM
 * and 9-array GRU merged into kernel/recurrent/bias in i,f,c,o and z,r,h gate order; {@code th} convolution kernels
 * transposed; 4-D Keras 1 Conv1D kernels squeezed).
 */
final class WeightAssembler {

    /** One stored array: its name in the file, shape, dtype, values (null when reading shapes only), HDF5 path. */
    record Stored(String fileName, long[] shape, String dtype, float[] data, String source) {
    }

    private static final Set<String> ROLES = Set.of("kernel", "bias", "recurrent_kernel", "depthwise_kernel",
            "pointwise_kernel", "embeddings", "gamma", "beta", "moving_mean", "moving_variance", "alpha", "mean",
            "variance", "count");

    private final Path file;

    WeightAssembler(Path file) {
        this.file = file;
    }

    List<WeightSpec> assemble(LayerSpec layer, List<WeightLayout.Expected> expected, List<Stored> stored, boolean keras1) {
        if (expected == null) return fromFileNames(layer, stored);
        if (keras1) stored = convertKeras1(layer, stored);
        if (expected.size() != stored.size())
            throw new MalformedModelException(file, "layer '" + layer.name() + "'", "the file stores " + stored.size()
                    + " weight arrays, but Keras' " + layer.className() + " with this config has " + expected.size()
                    + " (" + String.join(", ", expected.stream().map(WeightLayout.Expected::name).toList()) + ")");
        List<WeightSpec> out = new ArrayList<>(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            WeightLayout.Expected e = expected.get(i);
            Stored s = stored.get(i);
            out.add(new WeightSpec(e.name(), e.role(), s.shape(), s.dtype(), s.data(), e.trainable(), e.regularizer(), s.source()));
        }
        return out;
    }

    /** A layer whose variables Kerasport does not table: names from the file, no regularizer attached. */
    private static List<WeightSpec> fromFileNames(LayerSpec layer, List<Stored> stored) {
        List<WeightSpec> out = new ArrayList<>();
        for (Stored s : stored) {
            String n = s.fileName();
            int colon = n.lastIndexOf(':');
            if (colon > 0) n = n.substring(0, colon);
            List<String> parts = new ArrayList<>(Arrays.asList(n.split("/")));
            int at = parts.indexOf(layer.name());
            if (at >= 0 && at < parts.size() - 1) parts = parts.subList(at + 1, parts.size());
            n = String.join(".", parts);
            if (n.startsWith(layer.name() + "_")) n = n.substring(layer.name().length() + 1);
            String last = parts.get(parts.size() - 1);
            out.add(new WeightSpec(n, ROLES.contains(last) ? last : "other", s.shape(), s.dtype(), s.data(),
                    layer.trainable(), null, s.source()));
        }
        return out;
    }

    // ------------------------------------------------------------------ Keras 1 layouts

    /** The class's {@link LayerKind#keras1Weights()} conversion applied to a copy of the stored arrays. */
    private List<Stored> convertKeras1(LayerSpec layer, List<Stored> s) {
        LayerKind kind = LayerKinds.get(layer.className());
        if (kind == null || kind.keras1Weights() == null) return s;
        List<Stored> out = new ArrayList<>(s);
        kind.keras1Weights().convert(layer, new LayerKind.Keras1Arrays() {
            @Override
            public int size() {
                return out.size();
            }

            @Override
            public long[] shape(int index) {
                return out.get(index).shape().clone();
            }

            @Override
            public void joinGates(int from, int to, int[] gateOrder) {
                List<Stored> part = out.subList(from, to);
                List<Stored> joined = new ArrayList<>(3);
                for (int kind = 0; kind < 3; kind++) { // W, U, b
                    List<Stored> parts = new ArrayList<>();
                    for (int g : gateOrder) parts.add(part.get(g * 3 + kind));
                    joined.add(concatLastAxis(parts));
                }
                part.clear();
                part.addAll(joined);
            }

            @Override
            public void transpose(int index, int[] perm) {
                out.set(index, WeightAssembler.transpose(out.get(index), perm));
            }

            @Override
            public void reshape(int index, long[] shape) {
                Stored k = out.get(index);
                out.set(index, new Stored(k.fileName(), shape.clone(), k.dtype(), k.data(), k.source()));
            }
        });
        return out;
    }

    private Stored concatLastAxis(List<Stored> parts) {
        Stored first = parts.get(0);
        long[] shape = first.shape().clone();
        int rank = shape.length;
        if (rank == 0) throw new MalformedModelException(file, first.source(), "a Keras 1 gate array is a scalar");
        long last = 0;
        for (Stored p : parts) {
            if (p.shape().length != rank)
                throw new MalformedModelException(file, p.source(), "Keras 1 gate arrays of different ranks");
            for (int i = 0; i < rank - 1; i++)
                if (p.shape()[i] != shape[i])
                    throw new MalformedModelException(file, p.source(), "Keras 1 gate arrays of shapes "
                            + java.util.Arrays.toString(first.shape()) + " and " + java.util.Arrays.toString(p.shape())
                            + " cannot be joined on their last axis");
            long n = 1;
            for (long d : p.shape()) n *= d;
            if (p.data() != null && p.data().length != n)
                throw new MalformedModelException(file, p.source(), "a Keras 1 gate array of shape "
                        + java.util.Arrays.toString(p.shape()) + " holds " + p.data().length + " values");
            last += p.shape()[rank - 1];
        }
        shape[rank - 1] = last;
        String name = first.fileName().replaceAll("_[icfozrh](:\\d+)?$", "");
        if (first.data() == null) return new Stored(name, shape, first.dtype(), null, first.source());
        long rows = 1;
        for (int i = 0; i < rank - 1; i++) rows *= shape[i];
        float[] out = new float[Math.toIntExact(rows * last)];
        int pos = 0;
        for (long r = 0; r < rows; r++)
            for (Stored p : parts) {
                int w = (int) p.shape()[rank - 1];
                System.arraycopy(p.data(), (int) (r * w), out, pos, w);
                pos += w;
            }
        return new Stored(name, shape, first.dtype(), out, first.source());
    }

    static Stored transpose(Stored s, int[] perm) {
        long[] shape = s.shape();
        long[] newShape = new long[shape.length];
        for (int i = 0; i < perm.length; i++) newShape[i] = shape[perm[i]];
        if (s.data() == null) return new Stored(s.fileName(), newShape, s.dtype(), null, s.source());
        return new Stored(s.fileName(), newShape, s.dtype(), permute(s.data(), shape, perm), s.source());
    }

    /** Row-major transpose: out[j] where out has axes perm of the input axes. */
    static float[] permute(float[] data, long[] shape, int[] perm) {
        int rank = shape.length;
        long[] inStrides = new long[rank];
        long st = 1;
        for (int i = rank - 1; i >= 0; i--) {
            inStrides[i] = st;
            st *= shape[i];
        }
        long[] outShape = new long[rank];
        long[] strideForOut = new long[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = shape[perm[i]];
            strideForOut[i] = inStrides[perm[i]];
        }
        float[] out = new float[data.length];
        long[] idx = new long[rank];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < rank; i++) src += idx[i] * strideForOut[i];
            out[o] = data[(int) src];
            for (int i = rank - 1; i >= 0; i--) {
                if (++idx[i] < outShape[i]) break;
                idx[i] = 0;
            }
        }
        return out;
    }
}
