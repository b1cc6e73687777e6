package org.kerasport.format.hdf5;

import java.nio.ByteBuffer;

/**
 * The numeric element encodings this package decodes, each little-endian (HDF5 converts the byte order while
 * reading). Decoding is done in Java, so float16 and Keras 3's opaque bfloat16 need no HDF5 conversion path.
 */
enum NumericEncoding {
    INT8("int8", 1), UINT8("uint8", 1), INT16("int16", 2), UINT16("uint16", 2),
    INT32("int32", 4), UINT32("uint32", 4), INT64("int64", 8), UINT64("uint64", 8),
    BOOL("bool", 1), FLOAT16("float16", 2), BFLOAT16("bfloat16", 2), FLOAT32("float32", 4), FLOAT64("float64", 8);

    /** The numpy-style name, e.g. {@code "float32"}. */
    final String dtype;
    /** Bytes per element. */
    final int size;

    NumericEncoding(String dtype, int size) {
        this.dtype = dtype;
        this.size = size;
    }

    /** The integer encoding of the given byte size and signedness, or null. */
    static NumericEncoding integer(long size, boolean signed) {
        return switch ((int) Math.min(size, 16)) {
            case 1 -> signed ? INT8 : UINT8;
            case 2 -> signed ? INT16 : UINT16;
            case 4 -> signed ? INT32 : UINT32;
            case 8 -> signed ? INT64 : UINT64;
            default -> null;
        };
    }

    boolean isInteger() {
        return this != FLOAT16 && this != BFLOAT16 && this != FLOAT32 && this != FLOAT64;
    }

    /** Element {@code i} of a little-endian buffer as a float (float64 narrowed, integers rounded to nearest). */
    float floatAt(ByteBuffer le, int i) {
        int at = i * size;
        return switch (this) {
            case FLOAT32 -> le.getFloat(at);
            case FLOAT64 -> (float) le.getDouble(at);
            case FLOAT16 -> halfToFloat(le.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((le.getShort(at) & 0xffff) << 16);
            case INT64 -> (float) le.getLong(at);
            case UINT64 -> unsigned64ToFloat(le.getLong(at));
            default -> (float) longAt(le, i);
        };
    }

    /** Element {@code i} of a little-endian buffer as a double (exact for all but 64-bit integers above 2^53). */
    double doubleAt(ByteBuffer le, int i) {
        int at = i * size;
        return switch (this) {
            case FLOAT32 -> le.getFloat(at);
            case FLOAT64 -> le.getDouble(at);
            case FLOAT16, BFLOAT16 -> floatAt(le, i);
            case UINT64 -> unsigned64ToDouble(le.getLong(at));
            default -> (double) longAt(le, i);
        };
    }

    /** Element {@code i} of an integer encoding; uint64 values above {@code Long.MAX_VALUE} come out negative. */
    long longAt(ByteBuffer le, int i) {
        int at = i * size;
        return switch (this) {
            case INT8 -> le.get(at);
            case UINT8, BOOL -> le.get(at) & 0xffL;
            case INT16 -> le.getShort(at);
            case UINT16 -> le.getShort(at) & 0xffffL;
            case INT32 -> le.getInt(at);
            case UINT32 -> le.getInt(at) & 0xffffffffL;
            case INT64, UINT64 -> le.getLong(at);
            default -> throw new IllegalStateException(dtype + " is not an integer encoding");
        };
    }

    /** IEEE 754 binary16 to float, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float magnitude = mant * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static double unsigned64ToDouble(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    private static float unsigned64ToFloat(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0f;
    }
}
