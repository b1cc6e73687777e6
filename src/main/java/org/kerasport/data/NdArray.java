package org.kerasport.data;

import java.util.Arrays;

/**
 * A dense float32 array in C order with its shape, the common currency of Kerasport's data readers.
 *
 * @param shape     dimensions
 * @param data      values, row-major
 * @param dtype     the dtype it was stored with (float32, float64, int32, int64, bool ...)
 */
public record NdArray(long[] shape, float[] data, String dtype) {
    public long size() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
