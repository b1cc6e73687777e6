package org.kerasport.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.cli.ExitCode;
import org.kerasport.TestSupport;
import org.kerasport.UserInputException;
import org.kerasport.data.NdArray;
import org.kerasport.format.Json;

/** Gathering, slicing and Keras' validation split. */
@Tag("interop")
class TrainingDataTest {
    @TempDir
    Path dir;

    /** Input (rows, 2, 2) holding 4 * row + k, target (rows, 1) holding the row id. */
    static TrainingData ids(int rows) {
        float[] x = new float[rows * 4], y = new float[rows];
        for (int i = 0; i < x.length; i++) x[i] = i;
        for (int i = 0; i < rows; i++) y[i] = i;
        return new TrainingData(List.of(new NdArray(new long[] {rows, 2, 2}, x, "float32")),
                List.of(new NdArray(new long[] {rows, 1}, y, "int64")));
    }

    static int[] rowIds(TrainingData d) {
        float[] y = d.targets().get(0).data();
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) out[i] = (int) y[i];
        float[] x = d.inputs().get(0).data();
        for (int i = 0; i < x.length; i++) assertEquals(4 * out[i / 4] + i % 4, x[i], "input row follows its target");
        return out;
    }

    @Test
    void gatherAndSlice() {
        TrainingData d = ids(6);
        TrainingData g = d.rows(new int[] {5, 0, 3, 3});
        assertEquals(4, g.rows());
        assertArrayEquals(new long[] {4, 2, 2}, g.inputs().get(0).shape());
        assertArrayEquals(new int[] {5, 0, 3, 3}, rowIds(g));
        assertEquals("int64", g.targets().get(0).dtype());
        assertArrayEquals(new int[] {2, 3, 4}, rowIds(d.slice(2, 5)));
        assertEquals(0, d.slice(6, 6).rows());
        assertEquals(6, d.rows()); // unchanged
        assertThrows(IndexOutOfBoundsException.class, () -> d.rows(new int[] {6}));
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(3, 7));
        assertThrows(IllegalArgumentException.class, () -> new TrainingData(List.of(new NdArray(new long[] {2}, new float[2], "f")),
                List.of(new NdArray(new long[] {3}, new float[3], "f"))));
    }

    @Test
    void splitLastMatchesKeras() throws IOException {
        int[] sizes = {2, 3, 5, 7, 10, 11, 33, 100, 1000, 1001};
        double[] fractions = {0.01, 0.1, 0.15, 0.2, 0.25, 0.3, 1.0 / 3, 0.5, 0.7, 0.9, 0.99};
        StringBuilder py = new StringBuilder("import json, numpy as np\n"
                + "from keras.src.trainers.data_adapters.array_slicing import train_validation_split\n"
                + "out = []\n");
        py.append("for n in ").append(java.util.Arrays.toString(sizes)).append(":\n")
                .append("  for f in [").append(String.join(", ", java.util.Arrays.stream(fractions).mapToObj(Double::toString).toList())).append("]:\n")
                .append("    try:\n"
                        + "      t, v = train_validation_split((np.arange(n), np.arange(n) * 2), f)\n"
                        + "      assert (t[1] == t[0] * 2).all() and (v[1] == v[0] * 2).all()\n"
                        + "      out.append({'n': n, 'f': f, 'train': t[0].tolist(), 'val': v[0].tolist()})\n"
                        + "    except ValueError as e:\n"
                        + "      out.append({'n': n, 'f': f, 'error': str(e)})\n"
                        + "json.dump(out, open('split.json', 'w'))\n");
        TestSupport.runPython(dir, 180, "-c", py.toString());
        JsonNode cases = Json.parse(Files.readString(dir.resolve("split.json")), null, "split.json");
        assertEquals(sizes.length * fractions.length, cases.size());
        int errors = 0;
        for (JsonNode c : cases) {
            TrainingData d = ids(c.get("n").asInt());
            double f = c.get("f").asDouble();
            String what = "n=" + c.get("n") + " f=" + f;
            if (c.has("error")) {
                errors++;
                UserInputException e = assertThrows(UserInputException.class, () -> d.splitLast(f), what);
                assertEquals(ExitCode.BAD_DATA, ExitCode.of(e));
                DataSourcesTest.contains(e, "contains " + d.rows() + " samples, which is not sufficient");
                continue;
            }
            TrainingData[] split = d.splitLast(f);
            assertArrayEquals(ints(c.get("train")), rowIds(split[0]), what);
            assertArrayEquals(ints(c.get("val")), rowIds(split[1]), what);
        }
        assertEquals(true, errors > 0 && errors < cases.size(), "both outcomes covered: " + errors);
        assertThrows(IllegalArgumentException.class, () -> ids(10).splitLast(0));
        assertThrows(IllegalArgumentException.class, () -> ids(10).splitLast(1));
        assertThrows(IllegalArgumentException.class, () -> ids(10).splitLast(Double.NaN));
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
