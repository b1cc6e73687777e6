package org.kerasport.format.hdf5;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/** Native memory needed during one operation (names, structs, buffers), all released by {@link #close()}. */
final class Scratch implements AutoCloseable {
    private final List<Pointer> pointers = new ArrayList<>();

    /** Tracks {@code p} for release; returns it. */
    <P extends Pointer> P add(P p) {
        pointers.add(p);
        return p;
    }

    /** A NUL-terminated UTF-8 copy of {@code s} (HDF5 names are UTF-8 bytes, as h5py writes them). */
    BytePointer utf8(String s) {
        return add(new BytePointer(s, StandardCharsets.UTF_8));
    }

    /** {@code n} bytes of native memory. */
    BytePointer bytes(long n) {
        return add(new BytePointer(n));
    }

    @Override
    public void close() {
        for (int i = pointers.size() - 1; i >= 0; i--) pointers.get(i).close();
        pointers.clear();
    }
}
