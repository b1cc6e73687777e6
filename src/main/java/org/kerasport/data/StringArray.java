package org.kerasport.data;

/**
 * A NumPy string array ({@code '<U..'} unicode or {@code '|S..'} bytes read as UTF-8) in C order with its shape.
 *
 * @param shape dimensions
 * @param data  the strings, row-major, with NumPy's trailing NULs removed
 */
public record StringArray(long[] shape, String[] data) {
}
