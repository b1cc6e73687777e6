package org.kerasport.format.hdf5;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras' rule for string lists too large for one HDF5 attribute ({@code save_attributes_to_hdf5_group} in
 * Keras 2 and {@code keras/src/legacy/saving/legacy_h5_format.py}): the list, as a numpy {@code |S<width>} array
 * with width = the longest item in bytes, is split with {@code numpy.array_split} into n = 1, 2, ... pieces until
 * every piece's {@code nbytes} (items x width) is at most {@link #HDF5_OBJECT_HEADER_LIMIT}.
 *
 * @param width  bytes per item in every piece (the longest item of the whole list, at least 1 as in numpy)
 * @param pieces the pieces in order; one piece means "write the attribute under its own name"
 */
record KerasAttributeChunks(int width, List<List<String>> pieces) {
    /** Keras' {@code HDF5_OBJECT_HEADER_LIMIT}. */
    static final int HDF5_OBJECT_HEADER_LIMIT = 64512;

    /**
     * Splits a non-empty list.
     *
     * @throws IllegalArgumentException if one item alone is longer than {@link #HDF5_OBJECT_HEADER_LIMIT} bytes
     */
    static KerasAttributeChunks split(List<String> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("nothing to split");
        int width = 1;
        for (String v : values) {
            int len = v.getBytes(StandardCharsets.UTF_8).length;
            if (len > HDF5_OBJECT_HEADER_LIMIT) {
                throw new IllegalArgumentException("string of " + len + " bytes cannot be saved in an HDF5 attribute (limit "
                        + HDF5_OBJECT_HEADER_LIMIT + " bytes): " + v.substring(0, Math.min(v.length(), 80)) + "...");
            }
            width = Math.max(width, len);
        }
        int n = 1;
        // numpy.array_split puts the larger pieces (ceil(N/n) items) first
        while ((long) ceilDiv(values.size(), n) * width > HDF5_OBJECT_HEADER_LIMIT) n++;
        return new KerasAttributeChunks(width, arraySplit(values, n));
    }

    /** {@code numpy.array_split(values, n)}: the first N % n pieces get one item more. */
    static <T> List<List<T>> arraySplit(List<T> values, int n) {
        int each = values.size() / n, extra = values.size() % n;
        List<List<T>> pieces = new ArrayList<>(n);
        int start = 0;
        for (int i = 0; i < n; i++) {
            int len = each + (i < extra ? 1 : 0);
            pieces.add(List.copyOf(values.subList(start, start + len)));
            start += len;
        }
        return pieces;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
