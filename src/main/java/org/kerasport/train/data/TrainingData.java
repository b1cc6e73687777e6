package org.kerasport.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kerasport.UserInputException;
import org.kerasport.data.NdArray;
import org.kerasport.BadDataException;

/**
 * A supervised dataset: one feature array per model input and one target array per model output, in the model's
 * order, all with the same number of rows (axis 0). Immutable: the arrays are never modified by this class and must
 * not be modified by its users; {@link #rows(int[])}, {@link #slice} and {@link #splitLast} return new copies.
 */
public final class TrainingData {
    private final List<NdArray> inputs;
    private final List<NdArray> targets;
    private final long rows;

    /** @throws IllegalArgumentException if there is no input, an array is a scalar, or the row counts differ */
    public TrainingData(List<NdArray> inputs, List<NdArray> targets) {
        this.inputs = List.copyOf(inputs);
        this.targets = List.copyOf(targets);
        if (this.inputs.isEmpty()) throw new IllegalArgumentException("training data needs at least one input");
        long r = this.inputs.get(0).shape().length == 0 ? -1 : this.inputs.get(0).shape()[0];
        for (NdArray a : all()) {
            if (a.shape().length == 0 || a.shape()[0] != r)
                throw new IllegalArgumentException("arrays with different row counts: " + all());
        }
        this.rows = r;
    }

    /** The feature arrays, one per model input. */
    public List<NdArray> inputs() {
        return inputs;
    }

    /** The target arrays, one per model output. */
    public List<NdArray> targets() {
        return targets;
    }

    /** The number of samples (axis 0 of every array). */
    public long rows() {
        return rows;
    }

    /** The rows at {@code indices}, in that order (repeats allowed): a shuffled batch, a k-fold part. */
    public TrainingData rows(int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= rows) throw new IndexOutOfBoundsException("row " + i + " of " + rows);
        }
        return map(a -> {
            int w = rowWidth(a);
            float[] out = new float[Math.multiplyExact(indices.length, w)];
            for (int k = 0; k < indices.length; k++) System.arraycopy(a.data(), indices[k] * w, out, k * w, w);
            return withRows(a, indices.length, out);
        });
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
    public TrainingData slice(long from, long to) {
        if (from < 0 || from > to || to > rows) throw new IndexOutOfBoundsException("rows " + from + ".." + to + " of " + rows);
        return map(a -> {
            int w = rowWidth(a);
            return withRows(a, to - from, Arrays.copyOfRange(a.data(), (int) from * w, (int) to * w));
        });
    }

    /**
     * Keras' {@code validation_split}: the last rows are validation data, the rest training data, taken before any
     * shuffling. The split index is {@code floor(rows * (1.0 - fraction))}, computed in double precision exactly as
     * Keras' {@code train_validation_split} (keras/src/trainers/data_adapters/array_slicing.py) does.
     *
     * @return {training, validation}
     * @throws IllegalArgumentException if {@code fraction} is not strictly between 0 and 1
     * @throws UserInputException       ({@link BadDataException}) if either part would be empty, as Keras refuses
     */
    public TrainingData[] splitLast(double fraction) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("validation split " + fraction + " is not between 0 and 1");
        long at = (long) Math.floor(rows * (1.0 - fraction));
        if (at == 0 || at == rows) {
            throw new BadDataException("training data contains " + rows + " samples, which is not "
                    + "sufficient to split it into a validation and training set as specified by validation split "
                    + fraction + ": provide more data or a different validation split");
        }
        return new TrainingData[] {slice(0, at), slice(at, rows)};
    }

    @Override
    public String toString() {
        return "TrainingData[inputs=" + inputs + ", targets=" + targets + "]";
    }

    private List<NdArray> all() {
        List<NdArray> all = new ArrayList<>(inputs);
        all.addAll(targets);
        return all;
    }

    private TrainingData map(java.util.function.UnaryOperator<NdArray> f) {
        return new TrainingData(inputs.stream().map(f).toList(), targets.stream().map(f).toList());
    }

    /** Elements per row: the product of the non-batch dimensions. */
    private static int rowWidth(NdArray a) {
        long w = 1;
        for (int d = 1; d < a.shape().length; d++) w *= a.shape()[d];
        return Math.toIntExact(w);
    }

    private static NdArray withRows(NdArray a, long n, float[] data) {
        long[] shape = a.shape().clone();
        shape[0] = n;
        return new NdArray(shape, data, a.dtype());
    }
}
