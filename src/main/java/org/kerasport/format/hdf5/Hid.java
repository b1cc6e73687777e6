package org.kerasport.format.hdf5;

import java.util.function.LongToIntFunction;

/**
 * One open native HDF5 identifier together with the function that releases it ({@code H5Tclose},
 * {@code H5Sclose}, ...). Used with try-with-resources for short-lived ids; closing twice is harmless.
 * The caller holds {@link Hdf5Lib#LOCK}.
 */
final class Hid implements AutoCloseable {
    private long id;
    private final LongToIntFunction closer;

    Hid(long id, LongToIntFunction closer) {
        this.id = id;
        this.closer = closer;
    }

    long id() {
        if (id < 0) throw new IllegalStateException("HDF5 identifier already closed");
        return id;
    }

    @Override
    public void close() {
        if (id >= 0) {
            closer.applyAsInt(id);
            id = -1;
        }
    }
}
