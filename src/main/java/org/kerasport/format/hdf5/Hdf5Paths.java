package org.kerasport.format.hdf5;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;

/** HDF5 names and relative paths: validation, splitting, joining, and listing names by index. */
final class Hdf5Paths {
    private Hdf5Paths() {
    }

    /**
     * The link names of a relative path such as {@code "dense_1/dense_1/kernel:0"}.
     *
     * @throws IllegalArgumentException if it is empty, absolute, ends with '/', or has an empty or "." component
     *                                  or a NUL character
     */
    static List<String> split(String relPath) {
        if (relPath == null || relPath.isEmpty()) throw new IllegalArgumentException("empty HDF5 path");
        List<String> names = List.of(relPath.split("/", -1));
        for (String n : names) {
            if (n.isEmpty() || n.equals(".") || n.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid relative HDF5 path '" + relPath + "': empty, '.' or NUL in a component");
            }
        }
        return names;
    }

    /** {@code parent + "/" + child}, without doubling the root's slash. */
    static String join(String parent, String child) {
        return parent.endsWith("/") ? parent + child : parent + "/" + child;
    }

    /** Longest attribute or link name accepted from a file. */
    static final long MAX_NAME_BYTES = 1 << 20;

    /** A by-index name query such as {@code H5Lget_name_by_idx}: writes name {@code i} into {@code buf}, returns its length. */
    @FunctionalInterface
    interface NameByIndex {
        long get(long i, BytePointer buf, long bufSize);
    }

    /** Names 0 .. n-1 from a by-index query (first asked for the length, then for the bytes), decoded as UTF-8. */
    static List<String> names(Hdf5File file, String part, String operation, long n, NameByIndex query) {
        List<String> names = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            long len = query.get(i, null, 0);
            if (len < 0) throw file.failure(part, operation);
            if (len > MAX_NAME_BYTES) throw file.malformed(part, operation + ": name of " + len + " bytes");
            byte[] bytes = new byte[(int) len];
            try (BytePointer buf = new BytePointer(len + 1)) {
                if (query.get(i, buf, len + 1) < 0) throw file.failure(part, operation);
                buf.get(bytes);
            }
            names.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return names;
    }
}
