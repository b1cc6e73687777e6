package org.kerasport.format.hdf5;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.util.Arrays;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * What a stored HDF5 datatype is, read once from its id: its class and size, and either its string form or its
 * numeric {@link NumericEncoding} (null for types this package cannot decode, e.g. compound or non-IEEE floats).
 */
final class Hdf5Type {
    final int typeClass;
    final long size;
    /** For strings: variable-length (char*) rather than fixed-length. */
    final boolean variableString;
    /** For strings: H5T_STR_NULLTERM, H5T_STR_NULLPAD or H5T_STR_SPACEPAD. */
    final int strPad;
    /** For numbers: how to decode one element after a little-endian read; null if not numeric or unsupported. */
    final NumericEncoding encoding;
    /** A human-readable name: a numpy dtype name for numbers, else a description. */
    final String dtype;

    private Hdf5Type(int typeClass, long size, boolean variableString, int strPad, NumericEncoding encoding,
                     String dtype) {
        this.typeClass = typeClass;
        this.size = size;
        this.variableString = variableString;
        this.strPad = strPad;
        this.encoding = encoding;
        this.dtype = dtype;
    }

    boolean isString() {
        return typeClass == H5T_STRING;
    }

    /**
     * Inspects an open datatype. {@code bfloat16Marker} says the owning dataset carries Keras 3's
     * {@code dtype="bfloat16"} attribute, which turns a 2-byte OPAQUE type into bfloat16.
     */
    static Hdf5Type inspect(Hdf5File file, long typeId, String part, String what, boolean bfloat16Marker) {
        String op = "cannot read the datatype of " + what;
        int cls = file.checkStatus(H5Tget_class(typeId), part, op);
        long size = H5Tget_size(typeId);
        if (size <= 0) throw file.failure(part, op);
        if (cls == H5T_STRING) {
            int variable = file.checkStatus(H5Tis_variable_str(typeId), part, op);
            int pad = file.checkStatus(H5Tget_strpad(typeId), part, op);
            return new Hdf5Type(cls, size, variable > 0, pad, null, variable > 0 ? "str" : "|S" + size);
        }
        if (cls == H5T_INTEGER) {
            NumericEncoding enc = plainLayout(typeId, size)
                    ? NumericEncoding.integer(size, file.checkStatus(H5Tget_sign(typeId), part, op) == H5T_SGN_2)
                    : null;
            return numeric(cls, size, enc, "integer(" + size + " bytes)");
        }
        if (cls == H5T_FLOAT) {
            return numeric(cls, size, floatEncoding(typeId, size), "float(" + size + " bytes, non-IEEE layout)");
        }
        if (cls == H5T_ENUM) {
            int members = H5Tget_nmembers(typeId);
            // h5py stores numpy bool as an enum {FALSE=0, TRUE=1} over int8
            NumericEncoding enc = size == 1 && members == 2 ? NumericEncoding.BOOL : null;
            return numeric(cls, size, enc, "enum(" + size + " bytes)");
        }
        if (cls == H5T_OPAQUE) {
            NumericEncoding enc = size == 2 && bfloat16Marker ? NumericEncoding.BFLOAT16 : null;
            return numeric(cls, size, enc, "opaque(" + size + " bytes" + tagSuffix(typeId) + ")");
        }
        return new Hdf5Type(cls, size, false, -1, null, className(cls) + "(" + size + " bytes)");
    }

    private static Hdf5Type numeric(int cls, long size, NumericEncoding enc, String fallbackName) {
        return new Hdf5Type(cls, size, false, -1, enc, enc != null ? enc.dtype : fallbackName);
    }

    /** True if the value bits fill the whole element (no padding bits). */
    private static boolean plainLayout(long typeId, long size) {
        return H5Tget_precision(typeId) == size * 8 && H5Tget_offset(typeId) == 0;
    }

    /** The IEEE-style float encoding whose bit fields match exactly, or null. */
    private static NumericEncoding floatEncoding(long typeId, long size) {
        if (!plainLayout(typeId, size) || H5Tget_norm(typeId) != H5T_NORM_IMPLIED) return null;
        try (Scratch scratch = new Scratch()) {
            SizeTPointer spos = scratch.add(new SizeTPointer(1)), epos = scratch.add(new SizeTPointer(1));
            SizeTPointer esize = scratch.add(new SizeTPointer(1)), mpos = scratch.add(new SizeTPointer(1));
            SizeTPointer msize = scratch.add(new SizeTPointer(1));
            if (H5Tget_fields(typeId, spos, epos, esize, mpos, msize) < 0) return null;
            long[] f = {spos.get(), epos.get(), esize.get(), mpos.get(), msize.get(), H5Tget_ebias(typeId)};
            if (size == 2 && matches(f, 15, 10, 5, 0, 10, 15)) return NumericEncoding.FLOAT16;
            if (size == 2 && matches(f, 15, 7, 8, 0, 7, 127)) return NumericEncoding.BFLOAT16;
            if (size == 4 && matches(f, 31, 23, 8, 0, 23, 127)) return NumericEncoding.FLOAT32;
            if (size == 8 && matches(f, 63, 52, 11, 0, 52, 1023)) return NumericEncoding.FLOAT64;
            return null;
        }
    }

    private static boolean matches(long[] actual, long... expected) {
        return Arrays.equals(actual, expected);
    }

    private static String tagSuffix(long typeId) {
        BytePointer tag = H5Tget_tag(typeId);
        if (tag == null || tag.isNull()) return "";
        try {
            String s = tag.getString();
            return s.isEmpty() ? "" : ", tag '" + s + "'";
        } finally {
            H5free_memory(tag);
        }
    }

    private static String className(int cls) {
        if (cls == H5T_COMPOUND) return "compound";
        if (cls == H5T_VLEN) return "vlen";
        if (cls == H5T_ARRAY) return "array";
        if (cls == H5T_REFERENCE) return "reference";
        if (cls == H5T_BITFIELD) return "bitfield";
        if (cls == H5T_TIME) return "time";
        return "type class " + cls;
    }
}
