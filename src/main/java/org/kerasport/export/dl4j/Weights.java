package org.kerasport.export.dl4j;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How a generated Keras layer's variables come out of the DL4J layer's parameters: for each Keras variable the DL4J
 * parameter and the {@link Layout} between them — the same layouts, with the same arguments, the importer binds
 * (dl4j/mappers: {@code ctx.bind(kerasWeight, vertex, param, layout)}), read the other way with {@link Layout#toKeras}.
 */
public final class Weights {
    private Weights() {
    }

    /** A Keras variable's shape and values (C order), or null when the DL4J layer has no such parameter. */
    public record Value(long[] shape, float[] data) {
    }

    /** One Keras variable from the DL4J layer's parameter table. */
    @FunctionalInterface
    public interface Move {
        Value read(Map<String, INDArray> params);
    }

    /** The moves of one generated layer: Keras variable name ({@code kernel}, {@code forward_lstm.lstm_cell.bias} ...) to move, or null. */
    @FunctionalInterface
    public interface Source extends Function<String, Move> {
    }

    /** The last part of a Keras variable name ({@code lstm_cell.kernel} → {@code kernel}). */
    public static String role(String kerasWeight) {
        return kerasWeight.substring(kerasWeight.lastIndexOf('.') + 1);
    }

    /** {@link Layout#SAME}: the same values in the same order and shape. */
    public static Move same(String param) {
        return params -> {
            INDArray p = params.get(param);
            return p == null ? null : new Value(p.shape(), Layout.SAME.toKeras(p, p.shape()));
        };
    }

    /** {@link Layout#SAME} onto a Keras vector (DL4J's bias, gamma, mean ... are [1, n]). */
    public static Move vector(String param) {
        return params -> {
            INDArray p = params.get(param);
            return p == null ? null : new Value(new long[]{p.length()}, Layout.SAME.toKeras(p, new long[]{p.length()}));
        };
    }

    /**
     * {@link Layout#permute}: DL4J axis i is Keras axis {@code perm[i]}, so Keras axis {@code perm[i]} has DL4J axis i's
     * size. DL4J axes past {@code perm.length} must be 1 (a 1-D kernel is held as [out, in, k, 1]).
     */
    public static Move permuted(String param, int... perm) {
        Layout layout = Layout.permute(perm);
        return params -> {
            INDArray p = params.get(param);
            if (p == null) return null;
            long[] d = p.shape(), k = new long[perm.length];
            for (int i = perm.length; i < d.length; i++)
                if (d[i] != 1) throw new IllegalArgumentException(param + " " + Arrays.toString(d) + " is not of rank " + perm.length);
            for (int i = 0; i < perm.length; i++) k[perm[i]] = d[i];
            return new Value(k, layout.toKeras(p, k));
        };
    }

    /**
     * {@link Layout#SAME} read as Keras' (k, in, out): DL4J 1.0.0-M2.1's own Convolution1DLayer keeps its kernel in
     * memory as (k, in, out), whatever its [out, in, k, 1] view says (Kerasport's importer maps Keras' Conv1D onto a
     * 2-D convolution instead, whose [out, in, k, 1] is what it says: {@code permute(2, 1, 0)}).
     */
    public static Move conv1dKernel(String param) {
        return params -> {
            INDArray p = params.get(param);
            if (p == null) return null;
            long[] k = {p.size(2), p.size(1), p.size(0)};
            return new Value(k, Layout.SAME.toKeras(p, k));
        };
    }

    /** {@link Layout#gates}: the last axis in gate blocks, reordered ({@code vector}: Keras holds a vector). */
    public static Move gates(String param, boolean vector, int... order) {
        Layout layout = Layout.gates(order);
        return params -> {
            INDArray p = params.get(param);
            if (p == null) return null;
            long[] k = vector ? new long[]{p.length()} : p.shape();
            return new Value(k, layout.toKeras(p, k));
        };
    }

    /**
     * BatchNormalization's moving variance: DL4J's {@code var}, or its {@code log10stdev} (var = 10^(2·log10stdev),
     * computed in double and rounded once).
     */
    public static Move batchNormVariance() {
        return params -> {
            if (params.containsKey("var")) return vector("var").read(params);
            INDArray logStd = params.get("log10stdev");
            if (logStd == null) return null;
            INDArray std = Transforms.pow(logStd.castTo(DataType.DOUBLE), 1, true).muli(Math.log(10));
            INDArray var = Transforms.exp(std.muli(2), false).castTo(DataType.FLOAT).reshape(logStd.length());
            return new Value(new long[]{logStd.length()}, NdArrays.floats(var));
        };
    }

    /** The same moves on the parameters whose keys start with {@code prefix}, the prefix dropped (Bidirectional's f and b). */
    public static Move prefixed(String prefix, Move m) {
        return params -> {
            java.util.Map<String, INDArray> dir = new java.util.HashMap<>();
            params.forEach((k, v) -> { if (k.startsWith(prefix)) dir.put(k.substring(prefix.length()), v); });
            return m.read(dir);
        };
    }
}
