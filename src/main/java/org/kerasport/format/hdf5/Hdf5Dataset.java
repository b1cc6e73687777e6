package org.kerasport.format.hdf5;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.bytedeco.hdf5.global.hdf5;

/**
 * A dataset of an open {@link Hdf5File}. External datasets (raw data in another file) and virtual datasets are
 * refused when opened ({@link org.kerasport.MalformedModelException}). Reads convert to Java arrays; element counts above {@code Integer.MAX_VALUE - 8} and
 * declared sizes far beyond the file size (a corrupt header) are refused before anything is allocated.
 */
public final class Hdf5Dataset {
    private final Hdf5File file;
    private final long id;
    private final String path;
    private final boolean filtered;
    private final Hdf5Attributes attributes;

    private Hdf5Dataset(Hdf5File file, long id, String path, boolean filtered) {
        this.file = file;
        this.id = id;
        this.path = path;
        this.filtered = filtered;
        this.attributes = new Hdf5Attributes(file, id, path);
    }

    /** Checks an open dataset id's storage and takes ownership of it (closing it if refused). Caller holds the lock. */
    static Hdf5Dataset open(Hdf5File file, long id, String path) {
        int filters;
        try (Hid dcpl = new Hid(file.checkId(H5Dget_create_plist(id), path, "cannot read the storage of " + path), hdf5::H5Pclose)) {
            String op = "cannot read the storage of " + path;
            int layout = file.checkStatus(H5Pget_layout(dcpl.id()), path, op);
            if (layout == H5D_VIRTUAL) throw file.malformed(path, "HDF5 virtual dataset " + path + " refused");
            if (file.checkStatus(H5Pget_external_count(dcpl.id()), path, op) > 0) {
                throw file.malformed(path, "HDF5 external dataset " + path + " refused (its data lives in another file)");
            }
            filters = file.checkStatus(H5Pget_nfilters(dcpl.id()), path, op);
        } catch (RuntimeException e) {
            H5Dclose(id);
            throw e;
        }
        file.register(id, hdf5::H5Dclose);
        return new Hdf5Dataset(file, id, path, filters > 0);
    }

    /** The absolute HDF5 path. */
    public String path() {
        return path;
    }

    /** The dimensions; {} for a scalar. */
    public long[] shape() {
        synchronized (Hdf5Lib.LOCK) {
            file.ensureOpen();
            try (Hid space = openSpace()) {
                return ValueReader.shape(file, space.id(), path, "dataset " + path);
            }
        }
    }

    /** The number of elements (1 for a scalar), saturating at {@code Long.MAX_VALUE}. */
    public long elementCount() {
        return ValueReader.elementCount(shape());
    }

    /**
     * The element type: "float16", "bfloat16", "float32", "float64", "int8" .. "int64", "uint8" .. "uint64",
     * "bool", or a description such as "|S12", "str", "opaque(4 bytes)", "compound(16 bytes)".
     */
    public String dtype() {
        return read(r -> r.type.dtype, false);
    }

    /** All elements converted to float32 (float64 narrowed, integers converted, float16/bfloat16 decoded). */
    public float[] readFloats() {
        return read(ValueReader::floats, false);
    }

    /**
     * {@link #dtype()} for a Keras weight dataset: an untagged 2-byte OPAQUE type is bfloat16, because Keras' legacy
     * {@code .h5} writer stores bfloat16 variables as numpy {@code V2} without the {@code dtype} attribute.
     */
    public String kerasDtype() {
        return read(r -> r.type.dtype, true);
    }

    /** {@link #readFloats()} for a Keras weight dataset (see {@link #kerasDtype()}). */
    public float[] readKerasFloats() {
        return read(ValueReader::floats, true);
    }

    /** All elements converted to float64. */
    public double[] readDoubles() {
        return read(ValueReader::doubles, false);
    }

    /** The single element of an integer scalar, or of a float scalar holding an integral value. */
    public long readLongScalar() {
        return read(ValueReader::longScalar, false);
    }

    /** Attribute names in name order. */
    public List<String> attributeNames() {
        return attributes.names();
    }

    /** True if the attribute exists. */
    public boolean hasAttribute(String name) {
        return attributes.has(name);
    }

    /** A scalar string attribute, if present (see {@link Hdf5Group#stringAttribute}). */
    public Optional<String> optStringAttribute(String name) {
        return attributes.optString(name);
    }

    /** Applies {@code reading} to a value reader over this dataset. */
    private <T> T read(Function<ValueReader, T> reading, boolean untaggedOpaque16IsBfloat16) {
        synchronized (Hdf5Lib.LOCK) {
            file.ensureOpen();
            String what = "dataset " + path;
            try (Hid type = new Hid(file.checkId(H5Dget_type(id), path, "cannot read the datatype of " + what), hdf5::H5Tclose);
                 Hid space = openSpace()) {
                ValueReader reader = new ValueReader(file, path, what, type.id(), space.id(),
                        (mem, buf) -> H5Dread(id, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf),
                        isBfloat16(type.id()) || untaggedOpaque16IsBfloat16 && isOpaque16(type.id()), file.readLimit(filtered));
                return reading.apply(reader);
            }
        }
    }

    /** Keras 3 stores bfloat16 as a 2-byte OPAQUE type plus the attribute {@code dtype="bfloat16"}. */
    private boolean isBfloat16(long typeId) {
        if (H5Tget_class(typeId) != H5T_OPAQUE || H5Tget_size(typeId) != 2 || !attributes.has("dtype")) return false;
        return attributes.read("dtype", r -> r.type.isString() && r.count == 1 && "bfloat16".equals(r.strings().get(0)));
    }

    private static boolean isOpaque16(long typeId) {
        return H5Tget_class(typeId) == H5T_OPAQUE && H5Tget_size(typeId) == 2;
    }

    private Hid openSpace() {
        return new Hid(file.checkId(H5Dget_space(id), path, "cannot read the shape of dataset " + path), hdf5::H5Sclose);
    }

    @Override
    public String toString() {
        return "Hdf5Dataset[" + path + "]";
    }
}
