package org.kerasport.format.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.MalformedModelException;

/**
 * Truncated and corrupted copies of real Keras files: reading everything must either work or raise
 * {@link MalformedModelException}; never another exception, a JVM crash or a hang. The regression cases are
 * corruptions that crashed the JVM inside HDF5 1.12.1 before the pure-Java checks existed.
 */
@Tag("corpus")
class Hdf5CorruptionTest {
    private static final List<String> FILES = List.of(Hdf5CorpusTest.KERAS1, Hdf5CorpusTest.KERAS3, Hdf5CorpusTest.TFKERAS);

    @TempDir
    Path dir;

    @Test
    void truncatedFiles() throws IOException {
        int malformed = 0;
        for (String name : FILES) {
            byte[] original = Files.readAllBytes(Hdf5TestSupport.corpus(name));
            int n = original.length;
            for (long at : new long[] {0, 8, 100, 1000, 2048, 4096, n * 3L / 10, n / 2, n * 9L / 10, n - 1}) {
                malformed += readEverything(write(name + ".t" + at, Arrays.copyOf(original, (int) at)));
            }
        }
        assertTrue(malformed >= 25, malformed + " of 30 truncated files refused");
    }

    @Test
    void flippedBytes() throws IOException {
        for (String name : FILES) {
            byte[] original = Files.readAllBytes(Hdf5TestSupport.corpus(name));
            int n = original.length;
            for (int at : new int[] {9, 13, 64, 200, 800, 1100, 2060, 3000, 5000, n / 2, n - 100}) {
                byte[] copy = original.clone();
                copy[at] ^= (byte) 0xA5;
                readEverything(write(name + ".f" + at, copy));
            }
        }
    }

    /** Corruptions found by fuzzing (file, offset, new byte value) that crashed the JVM inside HDF5 1.12.1. */
    @Test
    void formerNativeCrashes() throws IOException {
        Object[][] cases = {
            // global heap object sizes: H5HG_read copied far past the collection (SIGSEGV) or overflowed its buffer
            {"konduit-dl4j-test-resources/tfkeras/mlp_1.h5", 3726, 100, "global heap collection"},
            {"dl4j-test-resources/keras-simple/lstm_tf_model.h5", 2196, 198, "global heap collection"},
            {"dl4j-test-resources/keras-simple/lstm_tf_model.h5", 3793, 147, "global heap collection"},
            {"hls4ml-example-models/KERAS_conv1d_small_weights.h5", 2169, 210, "global heap collection"},
            // variable-length reference with a corrupt object index: H5HG_read indexed past its table (SIGSEGV)
            {"azsii8/regularized_model.h5", 902, 181, "global heap object"},
            {"azsii8/regularized_model.h5", 1959, 186, "global heap object"},
            {"dl4j-test-resources/examples/lstm_functional_tf_keras_2.h5", 1054, 2, "global heap object"},
            {"dl4j-test-resources/fullconfigs-cnn/cnn_batch_norm.h5", 1055, 32, "global heap object"},
            // attribute message with a wrong datatype size: HDF5's decoder crashed in its error path (SIGBUS)
            {"dl4j-test-resources/weights/sepconv2d_tensorflow_2.h5", 12020, 28, "dataspace version"},
        };
        for (Object[] c : cases) {
            byte[] copy = Files.readAllBytes(Hdf5TestSupport.corpus((String) c[0]));
            copy[(int) c[1]] = (byte) (int) (Integer) c[2];
            Path p = write(Path.of((String) c[0]).getFileName() + ".crash" + c[1], copy);
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> walk(p), p.toString());
            assertTrue(e.getMessage().contains((String) c[3]), e.getMessage());
        }
    }

    /** A zero-sized free-space object would make HDF5's global heap parser loop forever. */
    @Test
    void globalHeapThatWouldHang() throws IOException {
        byte[] copy = Files.readAllBytes(Hdf5TestSupport.corpus(Hdf5CorpusTest.TFKERAS));
        int gcol = indexOf(copy, new byte[] {'G', 'C', 'O', 'L', 1, 0, 0, 0});
        assertTrue(gcol > 0);
        int p = gcol + 16;
        while (u16(copy, p) != 0) p += 16 + (int) ((u64(copy, p + 8) + 7) & ~7L); // skip to the free-space object
        Arrays.fill(copy, p + 8, p + 16, (byte) 0);
        Path file = write("hang.h5", copy);
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> Hdf5File.openRead(file));
        assertTrue(e.getMessage().contains("global heap collection at offset " + gcol), e.getMessage());
    }

    /** Reads everything; returns 1 if the file was refused as malformed, 0 if it read fine. */
    private static int readEverything(Path p) {
        try {
            walk(p);
            return 0;
        } catch (MalformedModelException e) {
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            throw new AssertionError(p + ": expected MalformedModelException or success, got " + e, e);
        }
    }

    private static void walk(Path p) {
        try (Hdf5File f = Hdf5File.openRead(p)) {
            walk(f.root(), 0);
        }
    }

    private static void walk(Hdf5Group g, int depth) {
        if (depth > 16) fail("implausibly deep: " + g.path());
        for (String a : g.attributeNames()) readAttribute(g, a);
        for (String m : g.memberNames()) {
            if (g.hasGroup(m)) {
                walk(g.group(m), depth + 1);
            } else if (g.hasDataset(m)) {
                Hdf5Dataset d = g.dataset(m);
                d.shape();
                d.dtype();
                for (String a : d.attributeNames()) d.optStringAttribute(a);
                float[] values = d.readFloats();
                assertEquals(values.length, d.readDoubles().length);
            }
        }
    }

    private static void readAttribute(Hdf5Group g, String name) {
        try {
            g.stringListAttribute(name);
        } catch (MalformedModelException e) {
            if (!e.getMessage().contains("expected a string")) throw e;
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name.replace('/', '_'));
        Files.write(p, bytes);
        return p;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
            return i;
        }
        return -1;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static long u64(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xff);
        return v;
    }
}
