package org.kerasport.format.hdf5;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.bytedeco.hdf5.H5G_info_t;
import org.bytedeco.hdf5.H5L_info2_t;
import org.bytedeco.hdf5.H5O_info2_t;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.kerasport.MalformedModelException;

/**
 * A group of an open {@link Hdf5File}. Relative paths ({@code "dense_1/dense_1"}) are resolved one component at
 * a time through hard links only: a soft or external link on the way raises {@link MalformedModelException}.
 * Relative paths must not be empty, start or end with '/', or contain empty or "." components.
 */
public final class Hdf5Group {
    private final Hdf5File file;
    private final long id;
    private final String path;
    private final Hdf5Attributes attributes;

    Hdf5Group(Hdf5File file, long id, String path) {
        this.file = file;
        this.id = id;
        this.path = path;
        this.attributes = new Hdf5Attributes(file, id, path);
    }

    /** The absolute HDF5 path, e.g. {@code "/model_weights/dense"}; {@code "/"} for the root. */
    public String path() {
        return path;
    }

    /** Names of the direct children (groups, datasets, links), in HDF5's name order. */
    public List<String> memberNames() {
        synchronized (Hdf5Lib.LOCK) {
            file.ensureOpen();
            String op = "cannot list the members of " + path;
            try (Scratch scratch = new Scratch()) {
                H5G_info_t info = scratch.add(new H5G_info_t());
                file.checkStatus(H5Gget_info(id, info), path, op);
                BytePointer self = scratch.utf8(".");
                List<String> names = Hdf5Paths.names(file, path, op, info.nlinks(), (i, buf, size) ->
                        H5Lget_name_by_idx(id, self, H5_INDEX_NAME, H5_ITER_INC, i, buf, size, H5P_DEFAULT));
                for (String n : names) {
                    if (n.isEmpty() || n.equals(".") || n.contains("/")) {
                        throw file.malformed(path, op + ": invalid link name '" + n + "'");
                    }
                }
                return names;
            }
        }
    }

    /** True if {@code relPath} names a group (through hard links). */
    public boolean hasGroup(String relPath) {
        return lookup(relPath, -1).type == H5O_TYPE_GROUP;
    }

    /** True if {@code relPath} names a dataset (through hard links). */
    public boolean hasDataset(String relPath) {
        return lookup(relPath, -1).type == H5O_TYPE_DATASET;
    }

    /** The group at {@code relPath}; missing or not a group: {@link MalformedModelException} naming the path. */
    public Hdf5Group group(String relPath) {
        synchronized (Hdf5Lib.LOCK) {
            Found f = lookup(relPath, H5O_TYPE_GROUP);
            return new Hdf5Group(file, file.register(f.id, hdf5::H5Gclose), f.path);
        }
    }

    /** The dataset at {@code relPath}; missing, not a dataset, external or virtual: {@link MalformedModelException}. */
    public Hdf5Dataset dataset(String relPath) {
        synchronized (Hdf5Lib.LOCK) {
            Found f = lookup(relPath, H5O_TYPE_DATASET);
            return Hdf5Dataset.open(file, f.id, f.path);
        }
    }

    /** Attribute names in name order. */
    public List<String> attributeNames() {
        return attributes.names();
    }

    /** True if the attribute exists. */
    public boolean hasAttribute(String name) {
        return attributes.has(name);
    }

    /**
     * A scalar string attribute (variable- or fixed-length, ASCII or UTF-8), or a one-element string array.
     * Missing or not a single string: {@link MalformedModelException}.
     */
    public String stringAttribute(String name) {
        return attributes.string(name);
    }

    /** Like {@link #stringAttribute} but empty if the attribute does not exist. */
    public Optional<String> optStringAttribute(String name) {
        return attributes.optString(name);
    }

    /**
     * A list-of-strings attribute: a 1-D string array (variable- or fixed-length), a scalar string (one item), an
     * empty numeric array (Keras' empty {@code weight_names}: empty list), or, if {@code name} is absent, Keras'
     * chunks {@code name0, name1, ...} concatenated. None of these: {@link MalformedModelException}.
     */
    public List<String> stringListAttribute(String name) {
        return attributes.stringList(name);
    }

    // ---- writing ----

    /** Creates the group at {@code relPath} and any missing intermediate groups; existing groups are reused. */
    public Hdf5Group createGroup(String relPath) {
        List<String> names = Hdf5Paths.split(relPath);
        synchronized (Hdf5Lib.LOCK) {
            file.ensureWritable();
            List<Hid> opened = new ArrayList<>();
            try (Scratch scratch = new Scratch()) {
                long cur = id;
                String curPath = path;
                for (String name : names) {
                    String childPath = Hdf5Paths.join(curPath, name);
                    String op = "cannot create group " + childPath;
                    BytePointer n = scratch.utf8(name);
                    long child;
                    if (file.checkStatus(H5Lexists(cur, n, H5P_DEFAULT), childPath, op) > 0) {
                        H5O_info2_t info = scratch.add(new H5O_info2_t());
                        file.checkStatus(H5Oget_info_by_name3(cur, n, info, H5O_INFO_BASIC, H5P_DEFAULT), childPath, op);
                        if (info.type() != H5O_TYPE_GROUP) throw new IllegalArgumentException(childPath + " exists and is not a group");
                        child = file.checkId(H5Gopen2(cur, n, H5P_DEFAULT), childPath, op);
                    } else {
                        child = file.checkId(H5Gcreate2(cur, n, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), childPath, op);
                    }
                    opened.add(new Hid(child, hdf5::H5Gclose));
                    cur = child;
                    curPath = childPath;
                }
                Hid last = opened.remove(opened.size() - 1);
                long lastId = last.id();
                file.register(lastId, hdf5::H5Gclose);
                return new Hdf5Group(file, lastId, curPath);
            } finally {
                for (int i = opened.size() - 1; i >= 0; i--) opened.get(i).close();
            }
        }
    }

    /** Writes a scalar variable-length UTF-8 string attribute (any size), replacing an existing one. */
    public void writeStringAttribute(String name, String value) {
        ensureWritable();
        attributes.writeString(name, value);
    }

    /**
     * Writes a 1-D array of fixed-length NUL-padded byte strings (numpy {@code |S<n>}, n = longest item in UTF-8
     * bytes, at least 1). The list must not be empty: use {@link #writeEmptyFloat64Attribute} for that.
     */
    public void writeFixedStringListAttribute(String name, List<String> values) {
        ensureWritable();
        int width = 1;
        for (String v : values) width = Math.max(width, v.getBytes(StandardCharsets.UTF_8).length);
        attributes.writeFixedStrings(name, values, width);
    }

    /**
     * Writes a string list exactly as Keras' {@code save_attributes_to_hdf5_group} does with h5py 3
     * ({@link KerasAttributeChunks}): if the list fits in 64512 bytes, as attribute {@code name} (a 1-D
     * variable-length string array); else as {@code |S<longest>} arrays {@code name0 .. name<n-1>} split like
     * {@code numpy.array_split}; an empty list as an empty float64 array. Existing {@code name} and
     * {@code name<i>} attributes are removed first.
     *
     * @throws IllegalArgumentException if one item is longer than 64512 bytes in UTF-8
     */
    public void writeStringListAttributeChunked(String name, List<String> values) {
        ensureWritable();
        attributes.writeChunkedStrings(name, values);
    }

    /** Writes an empty float64 array attribute of shape (0,), as Keras does for an empty name list. */
    public void writeEmptyFloat64Attribute(String name) {
        ensureWritable();
        attributes.writeEmptyFloat64(name);
    }

    /**
     * Writes a contiguous little-endian float32 dataset without filters; intermediate groups are created.
     *
     * @param shape dimensions, {} for a scalar; their product must equal {@code data.length}
     */
    public Hdf5Dataset writeFloatDataset(String relPath, long[] shape, float[] data) {
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        if (ValueReader.elementCount(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length + " values");
        }
        try (FloatPointer values = new FloatPointer(data)) {
            return writeDataset(relPath, shape, H5T_IEEE_F32LE_g(), H5T_NATIVE_FLOAT_g(), data.length == 0 ? null : values);
        }
    }

    /** Writes a scalar int64 (or int32) dataset, e.g. an optimizer's iteration count. */
    public Hdf5Dataset writeLongScalarDataset(String relPath, long value, boolean int32) {
        if (int32 && (int) value != value) throw new IllegalArgumentException(value + " does not fit in int32");
        if (int32) {
            try (IntPointer v = new IntPointer(new int[] {(int) value})) {
                return writeDataset(relPath, new long[0], H5T_STD_I32LE_g(), H5T_NATIVE_INT32_g(), v);
            }
        }
        try (LongPointer v = new LongPointer(new long[] {value})) {
            return writeDataset(relPath, new long[0], H5T_STD_I64LE_g(), H5T_NATIVE_INT64_g(), v);
        }
    }

    private Hdf5Dataset writeDataset(String relPath, long[] shape, long fileType, long memType, Pointer data) {
        List<String> names = Hdf5Paths.split(relPath);
        synchronized (Hdf5Lib.LOCK) {
            file.ensureWritable();
            Hdf5Group parent = names.size() == 1 ? this : createGroup(String.join("/", names.subList(0, names.size() - 1)));
            return parent.createDataset(names.get(names.size() - 1), shape, fileType, memType, data);
        }
    }

    private Hdf5Dataset createDataset(String name, long[] shape, long fileType, long memType, Pointer data) {
        String dsPath = Hdf5Paths.join(path, name);
        String op = "cannot write dataset " + dsPath;
        try (Scratch scratch = new Scratch()) {
            BytePointer n = scratch.utf8(name);
            if (file.checkStatus(H5Lexists(id, n, H5P_DEFAULT), dsPath, op) > 0) {
                throw new IllegalArgumentException(dsPath + " already exists");
            }
            long space = file.checkId(shape.length == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(shape.length, shape, null), dsPath, op);
            long ds;
            try (Hid s = new Hid(space, hdf5::H5Sclose)) {
                ds = file.checkId(H5Dcreate2(id, n, fileType, s.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), dsPath, op);
            }
            if (data != null && H5Dwrite(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
                RuntimeException e = file.failure(dsPath, op);
                H5Dclose(ds);
                throw e;
            }
            return Hdf5Dataset.open(file, ds, dsPath);
        }
    }

    private void ensureWritable() {
        synchronized (Hdf5Lib.LOCK) {
            file.ensureWritable();
        }
    }

    // ---- resolving relative paths ----

    /** The outcome of a lookup: H5O type (or -1 if missing), the open id (or -1) and the absolute path. */
    private record Found(int type, long id, String path) {
    }

    /**
     * Resolves {@code relPath} through hard links. If {@code openAs} is a H5O type, the target must exist and be of
     * that type and is returned open; otherwise nothing is opened and a missing target gives type -1.
     */
    private Found lookup(String relPath, int openAs) {
        List<String> names = Hdf5Paths.split(relPath);
        synchronized (Hdf5Lib.LOCK) {
            file.ensureOpen();
            List<Hid> opened = new ArrayList<>();
            try (Scratch scratch = new Scratch()) {
                long cur = id;
                String curPath = path;
                for (int i = 0; i < names.size(); i++) {
                    String childPath = Hdf5Paths.join(curPath, names.get(i));
                    BytePointer n = scratch.utf8(names.get(i));
                    int type = childType(scratch, cur, curPath, n, childPath);
                    boolean last = i == names.size() - 1;
                    if (type < 0 || (!last && type != H5O_TYPE_GROUP)) {
                        return notFound(openAs, Hdf5Paths.join(path, relPath), -1);
                    }
                    if (last) {
                        if (openAs < 0) return new Found(type, -1, childPath);
                        if (type != openAs) return notFound(openAs, childPath, type);
                        String op = "cannot open " + childPath;
                        long obj = type == H5O_TYPE_GROUP ? H5Gopen2(cur, n, H5P_DEFAULT) : H5Dopen2(cur, n, H5P_DEFAULT);
                        return new Found(type, file.checkId(obj, childPath, op), childPath);
                    }
                    long g = file.checkId(H5Gopen2(cur, n, H5P_DEFAULT), childPath, "cannot open group " + childPath);
                    opened.add(new Hid(g, hdf5::H5Gclose));
                    cur = g;
                    curPath = childPath;
                }
                throw new IllegalStateException("unreachable");
            } finally {
                for (int i = opened.size() - 1; i >= 0; i--) opened.get(i).close();
            }
        }
    }

    /** The H5O type of child {@code name} of group {@code parent}, or -1 if there is no such link. */
    private int childType(Scratch scratch, long parent, String parentPath, BytePointer name, String childPath) {
        if (file.checkStatus(H5Lexists(parent, name, H5P_DEFAULT), parentPath, "cannot look up " + childPath) == 0) return -1;
        H5L_info2_t link = scratch.add(new H5L_info2_t());
        file.checkStatus(H5Lget_info2(parent, name, link, H5P_DEFAULT), childPath, "cannot read link " + childPath);
        if (link.type() != H5L_TYPE_HARD) {
            String kind = link.type() == H5L_TYPE_SOFT ? "soft" : link.type() == H5L_TYPE_EXTERNAL ? "external" : "user-defined";
            throw file.malformed(childPath, "HDF5 " + kind + " link " + childPath + " refused (only hard links are followed)");
        }
        H5O_info2_t info = scratch.add(new H5O_info2_t());
        file.checkStatus(H5Oget_info_by_name3(parent, name, info, H5O_INFO_BASIC, H5P_DEFAULT), childPath,
                "cannot read object " + childPath);
        return info.type();
    }

    private Found notFound(int openAs, String fullPath, int actualType) {
        if (openAs < 0) return new Found(-1, -1, fullPath);
        String wanted = openAs == H5O_TYPE_GROUP ? "group" : "dataset";
        throw file.malformed(fullPath, actualType < 0 ? "missing " + wanted + " " + fullPath
                : fullPath + " is not a " + wanted);
    }
}
