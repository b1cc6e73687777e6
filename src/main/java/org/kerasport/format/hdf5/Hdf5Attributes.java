package org.kerasport.format.hdf5;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.bytedeco.hdf5.H5O_info2_t;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The attributes of one group or dataset: listing, reading (through {@link ValueReader}) and writing.
 * Every method takes {@link Hdf5Lib#LOCK} itself.
 */
final class Hdf5Attributes {
    private final Hdf5File file;
    private final long objectId;
    private final String objectPath;
    /** Set once the object's attribute messages passed {@link Hdf5File#verifyAttributeMessages}. */
    private boolean verified;

    Hdf5Attributes(Hdf5File file, long objectId, String objectPath) {
        this.file = file;
        this.objectId = objectId;
        this.objectPath = objectPath;
    }

    /** Attribute names in name order. */
    List<String> names() {
        synchronized (Hdf5Lib.LOCK) {
            ensureVerified();
            try (Scratch scratch = new Scratch()) {
                String op = "cannot list the attributes of " + objectPath;
                H5O_info2_t info = scratch.add(new H5O_info2_t());
                file.checkStatus(H5Oget_info3(objectId, info, H5O_INFO_NUM_ATTRS), objectPath, op);
                BytePointer self = scratch.utf8(".");
                return Hdf5Paths.names(file, objectPath, op, info.num_attrs(), (i, buf, size) ->
                        H5Aget_name_by_idx(objectId, self, H5_INDEX_NAME, H5_ITER_INC, i, buf, size, H5P_DEFAULT));
            }
        }
    }

    /** True if the attribute exists. */
    boolean has(String name) {
        synchronized (Hdf5Lib.LOCK) {
            ensureVerified();
            try (Scratch scratch = new Scratch()) {
                return file.checkStatus(H5Aexists(objectId, scratch.utf8(name)), objectPath,
                        "cannot look up " + describe(name)) > 0;
            }
        }
    }

    /** A scalar string (or a one-element string array), if the attribute exists. */
    Optional<String> optString(String name) {
        synchronized (Hdf5Lib.LOCK) {
            if (!has(name)) return Optional.empty();
            return Optional.of(read(name, r -> {
                if (!r.type.isString() || r.count != 1) {
                    throw file.malformed(objectPath, describe(name) + " is " + describeValue(r) + ", expected a string");
                }
                return r.strings().get(0);
            }));
        }
    }

    /** A required scalar string. */
    String string(String name) {
        return optString(name).orElseThrow(() -> missing(name));
    }

    /**
     * A list of strings: a string array or scalar, an empty numeric array, or Keras' chunked form
     * {@code name0, name1, ...} when {@code name} itself is absent.
     */
    List<String> stringList(String name) {
        synchronized (Hdf5Lib.LOCK) {
            if (has(name)) return read(name, ValueReader::strings);
            if (!has(name + 0)) throw missing(name);
            List<String> all = new ArrayList<>();
            for (int i = 0; has(name + i); i++) all.addAll(read(name + i, ValueReader::strings));
            return all;
        }
    }

    /** Opens the attribute and applies {@code reading} to its value reader. */
    <T> T read(String name, Function<ValueReader, T> reading) {
        synchronized (Hdf5Lib.LOCK) {
            ensureVerified();
            String what = describe(name);
            String op = "cannot read " + what;
            try (Scratch scratch = new Scratch();
                 Hid attr = new Hid(file.checkId(H5Aopen(objectId, scratch.utf8(name), H5P_DEFAULT), objectPath, op), hdf5::H5Aclose);
                 Hid type = new Hid(file.checkId(H5Aget_type(attr.id()), objectPath, op), hdf5::H5Tclose);
                 Hid space = new Hid(file.checkId(H5Aget_space(attr.id()), objectPath, op), hdf5::H5Sclose)) {
                long attrId = attr.id();
                ValueReader reader = new ValueReader(file, objectPath, what, type.id(), space.id(),
                        (mem, buf) -> H5Aread(attrId, mem, buf), false, file.readLimit(false));
                return reading.apply(reader);
            }
        }
    }

    /** Checks the file is open and validates the attribute messages before the first native attribute call. */
    private void ensureVerified() {
        file.ensureOpen();
        if (!verified) {
            file.verifyAttributeMessages(objectId, objectPath);
            verified = true;
        }
    }

    // ---- writing ----

    /** A scalar variable-length UTF-8 string (no size limit: the text lives in the global heap). */
    void writeString(String name, String value) {
        writeVariableStrings(name, List.of(value), true, H5T_CSET_UTF8);
    }

    /**
     * Variable-length strings, as a scalar (one value) or a 1-D array; the bytes are UTF-8, the declared
     * character set is {@code cset} (h5py declares ASCII for Python bytes).
     */
    private void writeVariableStrings(String name, List<String> values, boolean scalar, int cset) {
        byte[][] items = utf8Items(values);
        synchronized (Hdf5Lib.LOCK) {
            try (Scratch scratch = new Scratch();
                 Hid type = stringType(H5T_VARIABLE, cset, H5T_STR_NULLTERM);
                 Hid space = new Hid(file.checkId(scalar ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(1, new long[] {items.length}, null), objectPath, writeOp(name)), hdf5::H5Sclose)) {
                PointerPointer<BytePointer> data = scratch.add(new PointerPointer<>(items.length));
                for (int i = 0; i < items.length; i++) {
                    BytePointer text = scratch.bytes(items[i].length + 1L);
                    text.put(items[i], 0, items[i].length).put(items[i].length, (byte) 0);
                    data.put(i, text);
                }
                write(scratch, name, type.id(), space.id(), data);
            }
        }
    }

    /** A 1-D array of fixed-length, NUL-padded byte strings of {@code width} bytes each (numpy {@code |S<width>}). */
    void writeFixedStrings(String name, List<String> values, int width) {
        if (values.isEmpty()) throw new IllegalArgumentException("empty string list for attribute '" + name + "': write an empty float64 attribute");
        byte[][] items = utf8Items(values);
        byte[] packed = new byte[Math.multiplyExact(items.length, width)];
        for (int i = 0; i < items.length; i++) {
            if (items[i].length > width) throw new IllegalArgumentException("string longer than " + width + " bytes: " + values.get(i));
            System.arraycopy(items[i], 0, packed, i * width, items[i].length);
        }
        synchronized (Hdf5Lib.LOCK) {
            try (Scratch scratch = new Scratch();
                 Hid type = stringType(width, charset(values), H5T_STR_NULLPAD);
                 Hid space = new Hid(file.checkId(H5Screate_simple(1, new long[] {items.length}, null), objectPath,
                         writeOp(name)), hdf5::H5Sclose)) {
                write(scratch, name, type.id(), space.id(), scratch.add(new BytePointer(packed)));
            }
        }
    }

    /**
     * Keras' string list (see {@link KerasAttributeChunks}), as Keras 3 with h5py 3 writes it: one piece becomes a
     * 1-D variable-length string array {@code name}, several pieces become {@code |S<width>} arrays
     * {@code name0 .. name<n-1>}. Stale {@code name}/{@code name<i>} attributes are removed first.
     */
    void writeChunkedStrings(String name, List<String> values) {
        KerasAttributeChunks chunks = values.isEmpty() ? null : KerasAttributeChunks.split(values);
        synchronized (Hdf5Lib.LOCK) {
            deleteWithChunks(name);
            if (chunks == null) {
                writeEmptyFloat64(name);
            } else if (chunks.pieces().size() == 1) {
                writeVariableStrings(name, values, false, charset(values));
            } else {
                for (int i = 0; i < chunks.pieces().size(); i++) {
                    writeFixedStrings(name + i, chunks.pieces().get(i), chunks.width());
                }
            }
        }
    }

    /** An empty float64 array of shape (0,), what Keras writes for an empty name list. */
    void writeEmptyFloat64(String name) {
        synchronized (Hdf5Lib.LOCK) {
            try (Scratch scratch = new Scratch();
                 Hid space = new Hid(file.checkId(H5Screate_simple(1, new long[] {0}, null), objectPath, writeOp(name)),
                         hdf5::H5Sclose)) {
                write(scratch, name, H5T_IEEE_F64LE_g(), space.id(), null);
            }
        }
    }

    /** Creates (replacing an existing one) and writes an attribute whose memory type equals its file type. */
    private void write(Scratch scratch, String name, long typeId, long spaceId, Pointer data) {
        file.ensureWritable();
        String op = writeOp(name);
        BytePointer n = scratch.utf8(name);
        if (file.checkStatus(H5Aexists(objectId, n), objectPath, op) > 0) {
            file.checkStatus(H5Adelete(objectId, n), objectPath, op);
        }
        try (Hid attr = new Hid(file.checkId(H5Acreate2(objectId, n, typeId, spaceId, H5P_DEFAULT, H5P_DEFAULT),
                objectPath, op), hdf5::H5Aclose)) {
            if (data != null) file.checkStatus(H5Awrite(attr.id(), typeId, data), objectPath, op);
        }
    }

    private void deleteWithChunks(String name) {
        try (Scratch scratch = new Scratch()) {
            for (int i = -1; ; i++) {
                BytePointer n = scratch.utf8(i < 0 ? name : name + i);
                int exists = file.checkStatus(H5Aexists(objectId, n), objectPath, writeOp(name));
                if (exists == 0 && i >= 0) return;
                if (exists > 0) file.checkStatus(H5Adelete(objectId, n), objectPath, writeOp(name));
            }
        }
    }

    private Hid stringType(long size, int cset, int pad) {
        String op = "cannot create a string type";
        Hid type = new Hid(file.checkId(H5Tcopy(H5T_C_S1_g()), objectPath, op), hdf5::H5Tclose);
        if (H5Tset_size(type.id(), size) < 0 || H5Tset_cset(type.id(), cset) < 0 || H5Tset_strpad(type.id(), pad) < 0) {
            RuntimeException e = file.failure(objectPath, op);
            type.close();
            throw e;
        }
        return type;
    }

    private String writeOp(String name) {
        return "cannot write " + describe(name);
    }

    private String describe(String name) {
        return "attribute '" + name + "' of " + objectPath;
    }

    private RuntimeException missing(String name) {
        return file.malformed(objectPath, "missing " + describe(name));
    }

    private static String describeValue(ValueReader r) {
        return r.type.isString() ? "an array of " + r.count + " strings" : "of type " + r.type.dtype;
    }

    /** ASCII if every character is, else UTF-8 (h5py declares ASCII for the bytes Keras writes). */
    private static int charset(List<String> values) {
        return values.stream().allMatch(s -> s.chars().allMatch(c -> c < 128)) ? H5T_CSET_ASCII : H5T_CSET_UTF8;
    }

    private static byte[][] utf8Items(List<String> values) {
        byte[][] items = new byte[values.size()][];
        for (int i = 0; i < items.length; i++) items[i] = noNul(values.get(i)).getBytes(StandardCharsets.UTF_8);
        return items;
    }

    private static String noNul(String s) {
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("HDF5 strings cannot contain NUL characters");
        return s;
    }
}
