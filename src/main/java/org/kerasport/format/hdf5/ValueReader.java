package org.kerasport.format.hdf5;

import org.kerasport.Limit;
import static org.bytedeco.hdf5.global.hdf5.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Reads the value of one attribute or dataset: the single place that inspects the stored type and shape,
 * guards the size against the file and dispatches to string or numeric decoding. The caller owns the type and
 * space ids and holds {@link Hdf5Lib#LOCK}.
 */
final class ValueReader {
    /** Largest element count read into one Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Elements decoded per copy out of native memory. */
    private static final int SLICE_ELEMENTS = 1 << 24;

    /** The native read call: {@code H5Aread(attr, mem, buf)} or {@code H5Dread(ds, mem, ALL, ALL, DEFAULT, buf)}. */
    @FunctionalInterface
    interface NativeRead {
        int read(long memTypeId, Pointer buffer);
    }

    @FunctionalInterface
    private interface SliceConsumer {
        void accept(ByteBuffer littleEndian, int firstIndex, int count);
    }

    private final Hdf5File file;
    private final String part;
    private final String what;
    private final long typeId;
    private final long spaceId;
    private final NativeRead nativeRead;
    private final long byteLimit;
    final Hdf5Type type;
    final long[] shape;
    final long count;

    /**
     * @param what      how messages name the value, e.g. "attribute 'layer_names' of /model_weights"
     * @param byteLimit the most bytes the stored value may declare (see {@link Hdf5File#readLimit})
     */
    ValueReader(Hdf5File file, String part, String what, long typeId, long spaceId, NativeRead nativeRead,
                boolean bfloat16Marker, long byteLimit) {
        this.file = file;
        this.part = part;
        this.what = what;
        this.typeId = typeId;
        this.spaceId = spaceId;
        this.nativeRead = nativeRead;
        this.byteLimit = byteLimit;
        this.type = Hdf5Type.inspect(file, typeId, part, what, bfloat16Marker);
        this.shape = shape(file, spaceId, part, what);
        this.count = elementCount(shape);
    }

    /** The dimensions of a dataspace: {} for a scalar, {0} for a null dataspace (no data at all). */
    static long[] shape(Hdf5File file, long spaceId, String part, String what) {
        String op = "cannot read the shape of " + what;
        int kind = file.checkStatus(H5Sget_simple_extent_type(spaceId), part, op);
        if (kind == H5S_SCALAR) return new long[0];
        if (kind == H5S_NULL) return new long[] {0};
        int rank = file.checkStatus(H5Sget_simple_extent_ndims(spaceId), part, op);
        long[] dims = new long[rank];
        if (rank > 0) file.checkStatus(H5Sget_simple_extent_dims(spaceId, dims, null), part, op);
        for (long d : dims) {
            if (d < 0) throw file.malformed(part, op + ": negative dimension " + d);
        }
        return dims;
    }

    /** The product of the dimensions, saturating at {@code Long.MAX_VALUE}. */
    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / d) return Long.MAX_VALUE;
            n *= d;
        }
        return n;
    }

    /**
     * The value as strings: any string type (variable- or fixed-length, scalar or array). A numeric value with no
     * elements (Keras writes an empty float64 array for an empty name list) gives an empty list.
     */
    List<String> strings() {
        if (!type.isString()) {
            if (count == 0 && type.encoding != null) return List.of();
            throw file.malformed(part, what + " has type " + type.dtype + ", expected a string");
        }
        guardSize();
        List<String> out = new ArrayList<>((int) count);
        if (count == 0) return out;
        try (Scratch scratch = new Scratch(); Hid mem = new Hid(copyType(), hdf5::H5Tclose)) {
            if (type.variableString) {
                PointerPointer<BytePointer> ptrs = scratch.add(new PointerPointer<>(count));
                read(mem.id(), ptrs);
                try {
                    for (long i = 0; i < count; i++) {
                        BytePointer p = ptrs.get(BytePointer.class, i);
                        out.add(p == null || p.isNull() ? "" : new String(p.getStringBytes(), StandardCharsets.UTF_8));
                    }
                } finally {
                    H5Treclaim(mem.id(), spaceId, H5P_DEFAULT, ptrs);
                }
            } else {
                int width = (int) type.size;
                byte[] all = new byte[(int) (count * width)];
                BytePointer buf = scratch.bytes(all.length);
                read(mem.id(), buf);
                buf.get(all);
                for (int i = 0; i < count; i++) out.add(fixedString(all, i * width, width, type.strPad));
            }
        }
        return out;
    }

    /** The value converted to float32 (float64 narrowed, integers rounded, float16 and bfloat16 decoded). */
    float[] floats() {
        NumericEncoding enc = numericEncoding();
        guardSize();
        float[] out = new float[(int) count];
        readNumbers(enc, (buf, first, n) -> {
            for (int j = 0; j < n; j++) out[first + j] = enc.floatAt(buf, j);
        });
        return out;
    }

    /** The value converted to float64. */
    double[] doubles() {
        NumericEncoding enc = numericEncoding();
        guardSize();
        double[] out = new double[(int) count];
        readNumbers(enc, (buf, first, n) -> {
            for (int j = 0; j < n; j++) out[first + j] = enc.doubleAt(buf, j);
        });
        return out;
    }

    /** A single integer, or a float holding an integral value. */
    long longScalar() {
        NumericEncoding enc = numericEncoding();
        if (count != 1) throw file.malformed(part, what + " has " + count + " elements, expected a scalar");
        long[] result = new long[1];
        readNumbers(enc, (buf, first, n) -> {
            if (enc.isInteger()) {
                long v = enc.longAt(buf, 0);
                if (enc == NumericEncoding.UINT64 && v < 0) {
                    throw file.malformed(part, what + " = " + Long.toUnsignedString(v) + " does not fit a signed 64-bit integer");
                }
                result[0] = v;
            } else {
                double d = enc.doubleAt(buf, 0);
                if (!(d == Math.rint(d) && Math.abs(d) < 0x1p63)) {
                    throw file.malformed(part, what + " = " + d + " is not an integer");
                }
                result[0] = (long) d;
            }
        });
        return result[0];
    }

    private NumericEncoding numericEncoding() {
        if (type.encoding == null) {
            throw file.malformed(part, what + " has type " + type.dtype + ", expected numbers");
        }
        return type.encoding;
    }

    private void readNumbers(NumericEncoding enc, SliceConsumer consumer) {
        guardSize();
        if (count == 0) return;
        try (Scratch scratch = new Scratch(); Hid mem = new Hid(numericMemType(), hdf5::H5Tclose)) {
            BytePointer buf = scratch.bytes(count * enc.size);
            read(mem.id(), buf);
            byte[] slice = new byte[(int) Math.min(count, SLICE_ELEMENTS) * enc.size];
            ByteBuffer le = ByteBuffer.wrap(slice).order(ByteOrder.LITTLE_ENDIAN);
            for (long first = 0; first < count; first += SLICE_ELEMENTS) {
                int n = (int) Math.min(SLICE_ELEMENTS, count - first);
                buf.position(first * enc.size).get(slice, 0, n * enc.size);
                consumer.accept(le, (int) first, n);
            }
        }
    }

    /** Refuses values too large for a Java array or larger than the file could hold, before allocating. */
    private void guardSize() {
        long inMemory = count > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : count * 4; // read as float32 (or wider)
        if (Limit.TENSOR_BYTES.exceededBy(inMemory))
            throw file.malformed(part, Limit.TENSOR_BYTES.refusal(what + " of shape " + Arrays.toString(shape), inMemory));
        if (count > MAX_ELEMENTS) {
            throw file.malformed(part, what + " declares " + count + " elements (shape " + Arrays.toString(shape)
                    + "), more than the " + MAX_ELEMENTS + " supported");
        }
        long bytes = count * type.size;
        if (bytes > byteLimit || bytes / type.size != count) {
            throw file.malformed(part, what + " declares " + count + " elements of " + type.size
                    + " bytes, far more than the file holds (" + file.fileSize() + " bytes): corrupt header?");
        }
    }

    /**
     * Memory type for numbers: the stored type in little-endian byte order. Opaque bytes are taken as stored and
     * the only enumeration decoded (bool) has one byte, so neither needs an order.
     */
    private long numericMemType() {
        long mem = file.checkId(H5Tcopy(typeId), part, "cannot read " + what);
        boolean ordered = type.typeClass == H5T_INTEGER || type.typeClass == H5T_FLOAT;
        if (ordered && H5Tset_order(mem, H5T_ORDER_LE) < 0) {
            RuntimeException e = file.failure(part, "cannot read " + what);
            H5Tclose(mem);
            throw e;
        }
        return mem;
    }

    private long copyType() {
        return file.checkId(H5Tcopy(typeId), part, "cannot read " + what);
    }

    private void read(long memType, Pointer buf) {
        file.checkStatus(nativeRead.read(memType, buf), part, "cannot read " + what);
    }

    /** Decodes one fixed-length string as UTF-8, dropping its padding. */
    static String fixedString(byte[] all, int offset, int width, int strPad) {
        int end = offset + width;
        if (strPad == H5T_STR_NULLTERM) {
            for (int i = offset; i < end; i++) {
                if (all[i] == 0) {
                    end = i;
                    break;
                }
            }
        } else {
            byte pad = strPad == H5T_STR_SPACEPAD ? (byte) ' ' : 0;
            while (end > offset && all[end - 1] == pad) end--;
        }
        return new String(all, offset, end - offset, StandardCharsets.UTF_8);
    }
}
