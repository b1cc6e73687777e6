package org.kerasport.model;

import java.util.Arrays;

/**
 * One model variable in Keras order and Keras layout (Keras 2/3 layout; older layouts are converted on read).
 *
 * @param name        path relative to its top-level layer, '.'-separated, Keras 3 style:
 *                    {@code kernel}, {@code lstm_cell.kernel}, {@code forward_lstm.lstm_cell.kernel}, {@code sub_d1.kernel}
 * @param role        what the variable is: kernel, recurrent_kernel, bias, depthwise_kernel, pointwise_kernel,
 *                    embeddings, gamma, beta, moving_mean, moving_variance, alpha, mean, variance, count, or other
 * @param shape       Keras shape, or null when unknown (an architecture read without its weights)
 * @param dtype       stored dtype (null when unknown) (float32, float16, bfloat16, float64 ...); data is always float32
 * @param data        the values in C (row-major) order, or null when the model was read without weights
 * @param trainable   Keras' trainable flag for this variable (false for moving statistics and frozen layers)
 * @param regularizer the regularizer on this variable, or null
 * @param source      where it came from in the file (HDF5 dataset path), for messages
 */
public record WeightSpec(String name, String role, long[] shape, String dtype, float[] data, boolean trainable,
                         Regularizer regularizer, String source) {

    public long size() {
        if (shape == null) return 0;
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    public String shapeString() {
        if (shape == null) return "?";
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    public WeightSpec withData(float[] newData) {
        return new WeightSpec(name, role, shape, dtype, newData, trainable, regularizer, source);
    }

    public WeightSpec withTrainable(boolean t) {
        return new WeightSpec(name, role, shape, dtype, data, t, regularizer, source);
    }
}
