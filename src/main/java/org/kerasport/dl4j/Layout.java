package org.kerasport.dl4j;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a Keras variable's array maps onto a DL4J parameter array. Keras arrays are C-order float32 with Keras shapes;
 * DL4J parameters are views with their own shapes (and often 'f' order): {@link #toDl4j} builds an array to
 * {@code assign} into the parameter view, {@link #toKeras} reads one back.
 */
public interface Layout {
    INDArray toDl4j(float[] kerasData, long[] kerasShape, long[] dl4jShape);

    float[] toKeras(INDArray dl4jParam, long[] kerasShape);

    /** Same values in the same C order; only the shape may differ (e.g. bias (n,) ↔ (1, n)). */
    Layout SAME = new Layout() {
        @Override
        public INDArray toDl4j(float[] data, long[] kerasShape, long[] dl4jShape) {
            checkSize(data.length, dl4jShape);
            return Nd4j.create(data, dl4jShape, 'c');
        }

        @Override
        public float[] toKeras(INDArray p, long[] kerasShape) {
            return NdArrays.floats(p);
        }

        @Override
        public String toString() {
            return "same";
        }
    };

    /** Keras axes permuted by {@code perm} (DL4J axis i = Keras axis perm[i]). */
    static Layout permute(int... perm) {
        return new Layout() {
            @Override
            public INDArray toDl4j(float[] data, long[] kerasShape, long[] dl4jShape) {
                INDArray k = Nd4j.create(data, kerasShape, 'c');
                INDArray p = k.permute(perm).dup('c');
                checkSize(data.length, dl4jShape);
                return p.reshape('c', dl4jShape);
            }

            @Override
            public float[] toKeras(INDArray p, long[] kerasShape) {
                int[] inverse = new int[perm.length];
                for (int i = 0; i < perm.length; i++) inverse[perm[i]] = i;
                long[] permutedShape = new long[perm.length];
                for (int i = 0; i < perm.length; i++) permutedShape[i] = kerasShape[perm[i]];
                return NdArrays.floats(p.dup('c').reshape('c', permutedShape).permute(inverse));
            }

            @Override
            public String toString() {
                return "permute" + Arrays.toString(perm);
            }
        };
    }

    /**
     * The last axis split into {@code order.length} equal gate blocks, reordered: DL4J block i is Keras block
     * {@code order[i]} (LSTM: Keras i, f, c, o onto DL4J's c, f, o, i is {@code order = {2, 1, 3, 0}}).
     */
    public static Layout gates(int... order) {
        return new Layout() {
            @Override
            public INDArray toDl4j(float[] data, long[] kerasShape, long[] dl4jShape) {
                checkSize(data.length, dl4jShape);
                return Nd4j.create(reorder(data, kerasShape[kerasShape.length - 1], order), dl4jShape, 'c');
            }

            @Override
            public float[] toKeras(INDArray p, long[] kerasShape) {
                int[] inverse = new int[order.length];
                for (int i = 0; i < order.length; i++) inverse[order[i]] = i;
                float[] dl4j = NdArrays.floats(p);
                return reorder(dl4j, kerasShape[kerasShape.length - 1], inverse);
            }

            @Override
            public String toString() {
                return "gates" + Arrays.toString(order);
            }
        };
    }

    /** Rows of length {@code last} (C order), each split into blocks; output block i = input block order[i]. */
    private static float[] reorder(float[] in, long last, int[] order) {
        int n = (int) last, block = n / order.length;
        if (block * order.length != n) throw new IllegalArgumentException("last axis " + n + " is not " + order.length + " gate blocks");
        float[] out = new float[in.length];
        for (int row = 0; row < in.length; row += n)
            for (int i = 0; i < order.length; i++)
                System.arraycopy(in, row + order[i] * block, out, row + i * block, block);
        return out;
    }

    private static void checkSize(long n, long[] shape) {
        long m = 1;
        for (long s : shape) m *= s;
        if (m != n) throw new IllegalArgumentException("size mismatch: Keras has " + n + " values, DL4J param " + Arrays.toString(shape) + " has " + m);
    }
}
