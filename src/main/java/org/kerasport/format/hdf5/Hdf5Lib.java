package org.kerasport.format.hdf5;

import static org.bytedeco.hdf5.global.hdf5.H5E_DEFAULT;
import static org.bytedeco.hdf5.global.hdf5.H5E_WALK_UPWARD;
import static org.bytedeco.hdf5.global.hdf5.H5Eset_auto2;
import static org.bytedeco.hdf5.global.hdf5.H5Ewalk2;
import static org.bytedeco.hdf5.global.hdf5.H5PLset_loading_state;
import static org.bytedeco.hdf5.global.hdf5.H5open;

import org.bytedeco.hdf5.H5E_error2_t;
import org.bytedeco.hdf5.H5E_walk2_t;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * Process-wide access to the native HDF5 library of the javacpp preset.
 *
 * <p>The preset's library is built without thread safety ({@code H5is_library_threadsafe} is false), so every
 * native call of this package runs while holding {@link #LOCK}. Setup happens once: the library is initialised,
 * automatic error printing to stderr is switched off and plugin loading (filter and VOL plugins found through
 * {@code HDF5_PLUGIN_PATH}) is disabled, so an untrusted file can never make HDF5 load a shared library.
 *
 * <p>Note: the preset exposes predefined type ids such as {@code H5T_NATIVE_FLOAT} as {@code int} constants,
 * which truncates the 64-bit {@code hid_t}; always use the {@code *_g()} getters (valid after {@code H5open}).
 */
final class Hdf5Lib {
    /** The one lock around every native HDF5 call of the process. */
    static final Object LOCK = new Object();

    private static boolean initialized;
    /** Kept reachable: native code calls back into it. */
    private static ErrorWalker errorWalker;

    private Hdf5Lib() {
    }

    /** Loads and configures the library once; the caller holds {@link #LOCK}. */
    static void ensureInitialized() {
        if (initialized) return;
        org.kerasport.util.NativeSetup.configure(); // JavaCPP's settings are read once, when its first class loads
        Loader.load(hdf5.class);
        if (H5open() < 0) throw new IllegalStateException("cannot initialise the native HDF5 library");
        H5Eset_auto2(H5E_DEFAULT, null, null);
        H5PLset_loading_state(0);
        errorWalker = new ErrorWalker();
        initialized = true;
    }

    /**
     * The most specific message of HDF5's current error stack (the function that detected the problem and its
     * description, e.g. {@code "H5F__super_read: truncated file: eof = 10000, ..."}), or "" if the stack is empty.
     * The caller holds {@link #LOCK}.
     */
    static String errorStackMessage() {
        errorWalker.message = null;
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, errorWalker, null);
        String m = errorWalker.message;
        return m == null ? "" : m;
    }

    /** Records the first (innermost) entry of the error stack. */
    private static final class ErrorWalker extends H5E_walk2_t {
        String message;

        @Override
        public int call(int n, H5E_error2_t err, Pointer clientData) {
            if (n == 0 && err != null && !err.isNull()) {
                message = text(err.func_name()) + ": " + text(err.desc());
            }
            return 0;
        }

        private static String text(BytePointer p) {
            return p == null || p.isNull() ? "?" : p.getString();
        }
    }
}
