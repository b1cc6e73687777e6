package org.kerasport.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.cli.ExitCode;
import org.kerasport.UserInputException;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.hdf5.Hdf5File;

/** Every --data form written here in Java, and every validation error with its message. */
@Tag("unit")
class DataSourcesTest {
    @TempDir
    Path dir;

    static final ModelSignature MLP = sig(new Long[] {null, 3L}, new Long[] {null, 2L}, "mean_squared_error");
    static final ModelSignature CLASSIFIER = sig(new Long[] {null, 3L}, new Long[] {null, 4L}, "sparse_categorical_crossentropy");
    static final ModelSignature TWO_IN_TWO_OUT = new ModelSignature(List.of("in_a", "in_b"),
            List.of(new Long[] {null, 3L}, new Long[] {null, 2L, 2L}), List.of("out_r", "out_c"),
            List.of(new Long[] {null, 1L}, new Long[] {null, 5L}),
            Map.of("out_r", "mean_squared_error", "out_c", "sparse_categorical_crossentropy"));

    static ModelSignature sig(Long[] in, Long[] out, String loss) {
        return new ModelSignature(List.of("input_layer"), List.<Long[]>of(in), List.of("dense"), List.<Long[]>of(out),
                Map.of("dense", loss));
    }

    /** rows x cols with values row * 10 + col (+ offset). */
    static NdArray grid(int rows, int cols, float offset) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = (i / cols) * 10 + i % cols + offset;
        return new NdArray(new long[] {rows, cols}, d, "float32");
    }

    static NdArray arr(long[] shape, float... values) {
        return new NdArray(shape, values, "float32");
    }

    Path npz(String name, Map<String, NdArray> arrays) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(p)) {
            Npy.writeNpz(os, arrays);
        }
        return p;
    }

    Path npy(String name, NdArray a) throws IOException {
        return Files.write(dir.resolve(name), Npy.npyBytes(a));
    }

    Path text(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    static UserInputException fails(ExitCode code, String spec, List<String> labels, ModelSignature sig) {
        UserInputException e = assertThrows(UserInputException.class, () -> DataSources.load(spec, labels, sig));
        assertEquals(code, ExitCode.of(e), e.getMessage());
        return e;
    }

    static void contains(UserInputException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    // ---- the spec forms ----

    @Test
    void npzWithXAndY() throws IOException {
        Path p = npz("xy.npz", Map.of("x", grid(5, 3, 0), "y", grid(5, 2, 0.5f)));
        TrainingData d = DataSources.load(p.toString(), null, MLP);
        assertEquals(5, d.rows());
        assertArrayEquals(grid(5, 3, 0).data(), d.inputs().get(0).data());
        assertArrayEquals(new long[] {5, 2}, d.targets().get(0).shape());
        assertArrayEquals(grid(5, 2, 0.5f).data(), d.targets().get(0).data());
    }

    @Test
    void npzKeyedByLayerNamesAndPrefixedNames() throws IOException {
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put("x__in_a", grid(4, 3, 1));
        m.put("out_r", arr(new long[] {4}, 1, 2, 3, 4)); // (rows,) for an output (None, 1)
        m.put("y__out_c", arr(new long[] {4}, 0, 4, 2, 1)); // sparse class ids (rows,)
        m.put("sample_weight", grid(4, 1, 0)); // not the model's: ignored
        m.put("in_b", new NdArray(new long[] {4, 2, 2}, grid(4, 4, 0).data(), "float32")); // a rank-3 input
        TrainingData d = DataSources.load(npz("named.npz", m).toString(), List.of(), TWO_IN_TWO_OUT);
        assertArrayEquals(grid(4, 3, 1).data(), d.inputs().get(0).data());
        assertArrayEquals(new long[] {4, 2, 2}, d.inputs().get(1).shape());
        assertArrayEquals(new long[] {4, 1}, d.targets().get(0).shape());
        assertArrayEquals(new long[] {4, 1}, d.targets().get(1).shape());
        assertArrayEquals(new float[] {0, 4, 2, 1}, d.targets().get(1).data());
    }

    @Test
    void npyPair() throws IOException {
        Path x = npy("x.npy", grid(6, 3, 0)), y = npy("y.npy", grid(6, 2, 0));
        TrainingData d = DataSources.load(x + "," + y, null, MLP);
        assertEquals(6, d.rows());
        assertArrayEquals(grid(6, 2, 0).data(), d.targets().get(0).data());
    }

    @Test
    void csvWithLabelColumns() throws IOException {
        Path p = text("train.csv", "\uFEFFa,label,b,\"c\"\r\n1,0,2,3\r\n4.5,3,-5,6e-1\r\n\r\n7,1,+8,.9\r\n");
        TrainingData d = DataSources.load(p.toString(), List.of("label"), CLASSIFIER);
        assertArrayEquals(new long[] {3, 3}, d.inputs().get(0).shape());
        assertArrayEquals(new float[] {1, 2, 3, 4.5f, -5, 0.6f, 7, 8, 0.9f}, d.inputs().get(0).data());
        assertArrayEquals(new long[] {3, 1}, d.targets().get(0).shape());
        assertArrayEquals(new float[] {0, 3, 1}, d.targets().get(0).data());

        // several label columns, in the order given, for a two-unit regression head
        Path q = text("two.csv", "y2,f1,y1,f2,f3\n1,2,3,4,5\n6,7,8,9,10\n");
        TrainingData e = DataSources.load(q.toString(), List.of("y1", "y2"), MLP);
        assertArrayEquals(new float[] {2, 4, 5, 7, 9, 10}, e.inputs().get(0).data());
        assertArrayEquals(new float[] {3, 1, 8, 6}, e.targets().get(0).data());
    }

    @Test
    void hdf5Datasets() {
        Path h5 = dir.resolve("data.h5");
        try (Hdf5File f = Hdf5File.create(h5)) {
            f.root().writeFloatDataset("train/x", new long[] {5, 3}, grid(5, 3, 0).data());
            f.root().writeFloatDataset("train/y", new long[] {5, 2}, grid(5, 2, 2).data());
            f.root().writeFloatDataset("labels", new long[] {5}, new float[] {3, 2, 1, 0, 3});
        }
        TrainingData d = DataSources.load(h5 + ":/train/x," + h5 + ":/train/y", null, MLP);
        assertArrayEquals(grid(5, 3, 0).data(), d.inputs().get(0).data());
        assertArrayEquals(grid(5, 2, 2).data(), d.targets().get(0).data());
        // mixed with a .npy, and sparse labels (rows,) from HDF5
        TrainingData e = DataSources.load(h5 + ":/train/x," + h5 + ":/labels", null, CLASSIFIER);
        assertArrayEquals(new long[] {5, 1}, e.targets().get(0).shape());
    }

    @Test
    void npyAndHdf5Mixed() throws IOException {
        Path h5 = dir.resolve("y.h5");
        try (Hdf5File f = Hdf5File.create(h5)) {
            f.root().writeFloatDataset("y", new long[] {6, 2}, grid(6, 2, 0).data());
        }
        TrainingData d = DataSources.load(npy("x.npy", grid(6, 3, 0)) + "," + h5 + ":/y", null, MLP);
        assertEquals(6, d.rows());
    }

    // ---- validation errors ----

    @Test
    void npzMissingNameListsExpectedAndPresentKeys() throws IOException {
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put("in_a", grid(4, 3, 0));
        m.put("in_c", grid(4, 4, 0));
        m.put("out_r", grid(4, 1, 0));
        m.put("out_c", grid(4, 1, 0));
        Path p = npz("bad.npz", m);
        UserInputException e = fails(ExitCode.BAD_DATA, p.toString(), null, TWO_IN_TWO_OUT);
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        contains(e, "no array for model input 'in_b'", "in_a (or x__in_a), in_b (or x__in_b), out_r (or y__out_r), out_c (or y__out_c)",
                "the file has in_a, in_c, out_r, out_c");
        Path q = npz("xonly.npz", Map.of("x", grid(4, 3, 0)));
        contains(fails(ExitCode.BAD_DATA, q.toString(), null, MLP), "no array for model output 'dense'", "or x and y", "the file has x");
    }

    /** A model whose input is named x and output y (as people name them): x and y are their keys, not two matches. */
    @Test
    void npzInputNamedXOutputNamedY() throws IOException {
        ModelSignature xy = new ModelSignature(List.of("x"), List.<Long[]>of(new Long[] {null, 3L}), List.of("y"),
                List.<Long[]>of(new Long[] {null, 2L}), Map.of("y", "mean_squared_error"));
        Path p = npz("xy-named.npz", Map.of("x", grid(5, 3, 0), "y", grid(5, 2, 0.5f)));
        TrainingData d = DataSources.load(p.toString(), null, xy);
        assertArrayEquals(grid(5, 3, 0).data(), d.inputs().get(0).data());
        assertArrayEquals(grid(5, 2, 0.5f).data(), d.targets().get(0).data());
    }

    @Test
    void npzAmbiguousKeys() throws IOException {
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put("x", grid(4, 3, 0));
        m.put("input_layer", grid(4, 3, 0));
        m.put("y", grid(4, 2, 0));
        Path p = npz("amb.npz", m);
        contains(fails(ExitCode.BAD_DATA, p.toString(), null, MLP), "model input 'input_layer' matches several arrays: input_layer, x");
    }

    @Test
    void rowCountsDiffer() throws IOException {
        String spec = npy("x.npy", grid(6, 3, 0)) + "," + npy("y.npy", grid(5, 2, 0));
        UserInputException e = fails(ExitCode.BAD_DATA, spec, null, MLP);
        assertTrue(e.getMessage().startsWith(spec + ": "), e.getMessage());
        contains(e, "different row counts: input 'input_layer' 6, output 'dense' 5");
    }

    @Test
    void rankAndDimensionMismatch() throws IOException {
        Path x = npy("x.npy", grid(4, 2, 0)), y = npy("y.npy", grid(4, 2, 0));
        UserInputException e = fails(ExitCode.BAD_DATA, x + "," + y, null, MLP);
        assertTrue(e.getMessage().startsWith(x + ": "), e.getMessage());
        contains(e, "input 'input_layer' expects shape (None, 3), the data has shape (4, 2)");

        Path x3 = npy("x3.npy", new NdArray(new long[] {4, 3, 1}, new float[12], "float32"));
        contains(fails(ExitCode.BAD_DATA, x3 + "," + y, null, MLP), "expects shape (None, 3), the data has shape (4, 3, 1)");

        Path y1 = npy("y1.npy", arr(new long[] {4}, 1, 2, 3, 4)); // (rows,) only fits an output with last dim 1
        UserInputException f = fails(ExitCode.BAD_DATA, npy("xx.npy", grid(4, 3, 0)) + "," + y1, null, MLP);
        assertTrue(f.getMessage().startsWith(y1 + ": "), f.getMessage());
        contains(f, "output 'dense' expects shape (None, 2), the data has shape (4,)");
    }

    @Test
    void scalarIsRefused() throws IOException {
        Path s = npy("s.npy", arr(new long[] {}, 1));
        contains(fails(ExitCode.BAD_DATA, s + "," + npy("y.npy", grid(1, 2, 0)), null, MLP), "input 'input_layer': a scalar");
    }

    @Test
    void nonNumericDtype() throws IOException {
        String header = "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }";
        header = header + " ".repeat(64 - (10 + header.length() + 1) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[10 + h.length + 24];
        bytes[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 1, 5);
        bytes[6] = 1;
        bytes[8] = (byte) h.length;
        System.arraycopy(h, 0, bytes, 10, h.length);
        Path x = Files.write(dir.resolve("text.npy"), bytes);
        UserInputException e = fails(ExitCode.BAD_DATA, x + "," + npy("y.npy", grid(2, 2, 0)), null, MLP);
        assertTrue(e.getMessage().startsWith(x.toString()), e.getMessage());
        contains(e, "dtype <U3 is not numeric");
    }

    @Test
    void nonFiniteValuesAreRefusedUnlessAllowed() throws IOException {
        NdArray x = grid(4, 3, 0);
        x.data()[7] = Float.NaN; // row 2
        String spec = npy("x.npy", x) + "," + npy("y.npy", grid(4, 2, 0));
        contains(fails(ExitCode.BAD_DATA, spec, null, MLP), "input 'input_layer': non-finite value NaN at row 2");
        assertEquals(4, DataSources.load(spec, null, MLP, false).rows());
    }

    @Test
    void sparseClassIds() throws IOException {
        String x = npy("x.npy", grid(3, 3, 0)).toString();
        TrainingData d = DataSources.load(x + "," + npy("y2.npy", arr(new long[] {3, 1}, 0, 3, 1)), null, CLASSIFIER);
        assertArrayEquals(new long[] {3, 1}, d.targets().get(0).shape());
        UserInputException range = fails(ExitCode.BAD_DATA, x + "," + npy("big.npy", arr(new long[] {3}, 0, 4, 1)), null, CLASSIFIER);
        contains(range, "output 'dense': row 1 has class id 4.0", "integral class ids in [0, 4)");
        contains(fails(ExitCode.BAD_DATA, x + "," + npy("neg.npy", arr(new long[] {3}, 0, 1, -1)), null, CLASSIFIER), "row 2 has class id -1.0");
        contains(fails(ExitCode.BAD_DATA, x + "," + npy("frac.npy", arr(new long[] {3}, 0.5f, 1, 1)), null, CLASSIFIER), "row 0 has class id 0.5");
        // one-hot targets do not fit a sparse loss
        contains(fails(ExitCode.BAD_DATA, x + "," + npy("onehot.npy", grid(3, 4, 0)), null, CLASSIFIER),
                "output 'dense' expects shape (None, 1) (sparse class ids for (None, 4)), the data has shape (3, 4)");
    }

    @Test
    void csvErrorsNameLineColumnAndValue() throws IOException {
        Path p = text("bad.csv", "a,b,c,label\n1,2,3,0\n1,x2,3,0\n");
        UserInputException e = fails(ExitCode.BAD_DATA, p.toString(), List.of("label"), CLASSIFIER);
        assertEquals(p + ": line 3, column 'b': 'x2' is not a number", e.getMessage());
        contains(fails(ExitCode.BAD_DATA, text("m.csv", "a,b,c,label\n1,,3,0\n").toString(), List.of("label"), CLASSIFIER),
                "line 2, column 'b': missing value");
        contains(fails(ExitCode.BAD_DATA, text("nan.csv", "a,b,c,label\n1,NaN,3,0\n").toString(), List.of("label"), CLASSIFIER),
                "line 2, column 'b': 'NaN' is not a number");
        contains(fails(ExitCode.BAD_DATA, text("r.csv", "a,b,c,label\n1,2,3\n").toString(), List.of("label"), CLASSIFIER),
                "line 2: 3 fields, the header has 4");
        contains(fails(ExitCode.BAD_DATA, text("l.csv", "a,b,c,class\n1,2,3,0\n").toString(), List.of("label"), CLASSIFIER),
                "no label column 'label' (the header has: a, b, c, class)");
        contains(fails(ExitCode.BAD_DATA, text("w.csv", "a,b,label\n1,2,0\n").toString(), List.of("label"), CLASSIFIER),
                "input 'input_layer' expects shape (None, 3), the data has shape (1, 2)");
        contains(fails(ExitCode.BAD_DATA, text("e.csv", "").toString(), List.of("label"), CLASSIFIER), "a header row");
        contains(fails(ExitCode.BAD_DATA, text("h.csv", "a,b,c,label\n").toString(), List.of("label"), CLASSIFIER), "no data rows");
    }

    @Test
    void hdf5Errors() throws IOException {
        Path h5 = dir.resolve("d.h5");
        try (Hdf5File f = Hdf5File.create(h5)) {
            f.root().writeFloatDataset("x", new long[] {2, 3}, new float[6]);
        }
        UserInputException e = fails(ExitCode.BAD_DATA, h5 + ":/x," + h5 + ":/train/y", null, MLP);
        assertTrue(e.getMessage().startsWith(h5.toString()), e.getMessage());
        contains(e, "missing dataset /train/y");
        Path notH5 = text("fake.h5", "not hdf5");
        contains(fails(ExitCode.BAD_DATA, notH5 + ":/x," + h5 + ":/x", null, MLP), "fake.h5: not an HDF5 file");
        assertEquals(ExitCode.IO, ExitCode.of(fails(ExitCode.IO, dir.resolve("none.h5") + ":/x," + h5 + ":/x", null, MLP)));
    }

    @Test
    void missingFilesAreIoErrors() {
        String gone = dir.resolve("gone").toString();
        contains(fails(ExitCode.IO, gone + ".npz", null, MLP), gone + ".npz: no such file");
        contains(fails(ExitCode.IO, gone + "x.npy," + gone + "y.npy", null, MLP), gone + "x.npy: no such file");
        contains(fails(ExitCode.IO, gone + ".csv", List.of("label"), MLP), gone + ".csv: no such file");
    }

    @Test
    void pairNeedsSingleInputAndOutput() throws IOException {
        String spec = npy("x.npy", grid(4, 3, 0)) + "," + npy("y.npy", grid(4, 1, 0));
        contains(fails(ExitCode.BAD_DATA, spec, null, TWO_IN_TWO_OUT), "a pair of arrays fits a single-input, single-output model",
                "inputs in_a, in_b and outputs out_r, out_c");
    }

    @Test
    void unknownFormsAreUsageErrors() throws IOException {
        contains(fails(ExitCode.USAGE, "data.txt", null, MLP), "expected DATA.npz");
        contains(fails(ExitCode.USAGE, "a.npy,b.npy,c.npy", null, MLP), "expected DATA.npz");
        Path p = npz("xy.npz", Map.of("x", grid(5, 3, 0), "y", grid(5, 2, 0)));
        contains(fails(ExitCode.USAGE, p.toString(), List.of("y"), MLP), "label columns apply to CSV data only");
        contains(fails(ExitCode.USAGE, text("t.csv", "a\n1\n").toString(), List.of(), MLP), "needs the label column names");
    }
}
