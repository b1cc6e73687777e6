package org.kerasport.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;

/** .npz archives written by real numpy (the interop venv's Python; missing Python fails the test). */
@Tag("interop")
class DataSourcesNumpyTest {
    @TempDir
    Path dir;

    @Test
    void readsNumpysOwnNpzFiles() {
        TestSupport.runPython(dir, 120, "-c", String.join("\n",
                "import numpy as np",
                "x = np.arange(12, dtype=np.float64).reshape(4, 3) / 8 - 0.25",  // float64, exact in float32
                "y = np.array([3, 0, 2, 1], dtype=np.int64)",                      // int64 class ids, (rows,)
                "np.savez('plain.npz', x=x, y=y)",
                "np.savez_compressed('named.npz', x__in_a=x.astype(np.float32), in_b=np.arange(16, dtype=np.int32).reshape(4, 2, 2),",
                "    out_r=np.array([[1.5], [2.5], [-1], [0]], dtype=np.float64), y__out_c=y.reshape(4, 1), extra=np.array(['a', 'b']))",
                "np.savez('big.npz', x=np.full((2, 3), 1e300), y=np.array([[0], [1]], dtype=np.uint8))"));

        ModelSignature classifier = DataSourcesTest.CLASSIFIER;
        TrainingData d = DataSources.load(dir.resolve("plain.npz").toString(), null, classifier);
        NdArray x = d.inputs().get(0), y = d.targets().get(0);
        assertEquals("float64", x.dtype());
        assertArrayEquals(new long[] {4, 3}, x.shape());
        for (int i = 0; i < 12; i++) assertEquals(i / 8f - 0.25f, x.data()[i]);
        assertEquals("int64", y.dtype());
        assertArrayEquals(new long[] {4, 1}, y.shape());
        assertArrayEquals(new float[] {3, 0, 2, 1}, y.data());

        TrainingData n = DataSources.load(dir.resolve("named.npz").toString(), List.of(), DataSourcesTest.TWO_IN_TWO_OUT);
        assertArrayEquals(x.data(), n.inputs().get(0).data());
        assertEquals("int32", n.inputs().get(1).dtype());
        assertArrayEquals(new long[] {4, 2, 2}, n.inputs().get(1).shape());
        assertEquals(15f, n.inputs().get(1).data()[15]);
        assertArrayEquals(new float[] {1.5f, 2.5f, -1, 0}, n.targets().get(0).data());
        assertArrayEquals(new float[] {3, 0, 2, 1}, n.targets().get(1).data());

        // float64 beyond float32's range becomes infinity: refused by the finite check
        ModelSignature sig = new ModelSignature(List.of("input_layer"), List.<Long[]>of(new Long[] {null, 3L}),
                List.of("dense"), List.<Long[]>of(new Long[] {null, 1L}), Map.of("dense", "binary_crossentropy"));
        DataSourcesTest.contains(DataSourcesTest.fails(org.kerasport.cli.ExitCode.BAD_DATA, dir.resolve("big.npz").toString(), null, sig),
                "big.npz[input_layer]: input 'input_layer': non-finite value Infinity at row 0");
    }

    /** float32 both byte orders (the little-endian one read in bulk), float16, and a truncated array. */
    @Test
    void readsEveryFloatLayoutAndRefusesTruncatedData() throws Exception {
        TestSupport.runPython(dir, 120, "-c", String.join("\n",
                "import numpy as np",
                "v = (np.arange(70000, dtype=np.float32) - 35000) / 7",
                "np.save('le.npy', v.astype('<f4'))",
                "np.save('be.npy', v.astype('>f4'))",
                "np.save('half.npy', np.array([0.5, -2, 65504], dtype=np.float16))",
                "np.savetxt('expected.txt', v[[0, 1, 34999, 69999]].astype(np.float64))"));
        float[] le = org.kerasport.data.Npy.read(dir.resolve("le.npy")).data(), be = org.kerasport.data.Npy.read(dir.resolve("be.npy")).data();
        assertEquals(70000, le.length);
        assertArrayEquals(le, be);
        String[] expected = java.nio.file.Files.readString(dir.resolve("expected.txt")).trim().split("\\s+");
        int[] at = {0, 1, 34999, 69999};
        for (int i = 0; i < at.length; i++) assertEquals((float) Double.parseDouble(expected[i]), le[at[i]]);
        assertArrayEquals(new float[] {0.5f, -2f, 65504f}, org.kerasport.data.Npy.read(dir.resolve("half.npy")).data());
        byte[] all = java.nio.file.Files.readAllBytes(dir.resolve("le.npy"));
        java.nio.file.Files.write(dir.resolve("cut.npy"), java.util.Arrays.copyOf(all, all.length - 10));
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.kerasport.UserInputException.class,
                () -> org.kerasport.data.Npy.read(dir.resolve("cut.npy")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("truncated: 10 bytes of data missing"), e.getMessage());
    }
}
