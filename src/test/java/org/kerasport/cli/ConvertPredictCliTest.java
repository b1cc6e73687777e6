package org.kerasport.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.nd4j.linalg.factory.Nd4j;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;

/** {@code convert} and {@code predict} from the command line, checked against Keras' own predictions. */
@Tag("corpus")
class ConvertPredictCliTest {
    @TempDir
    Path tmp;

    private static final Path SEED = TestSupport.reference().resolve("seed_example");

    private Path npy(String name, NdArray a) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, Npy.npyBytes(a));
        return p;
    }

    @Test
    void convertThenPredictGivesKerasOutputs() throws IOException {
        Map<String, NdArray> ref = Npy.readNpz(SEED.resolve("reference.npz"));
        Path x = npy("x.npy", ref.get("x"));
        Path zip = tmp.resolve("seed.zip");
        TestSupport.Run conv = TestSupport.cli("convert", SEED.resolve("model.keras").toString(), "-o", zip.toString());
        assertEquals(0, conv.code(), conv.err());
        assertTrue(conv.out().contains("L2Regularization(0.002)") && conv.out().contains("L2(l2=0.001)"), conv.out());
        long n = org.kerasport.dl4j.KerasMatch.reductionLength(SEED.resolve("model.keras"));
        for (String model : new String[]{zip.toString(), SEED.resolve("model.keras").toString(), SEED.resolve("model.h5").toString()}) {
            Path y = tmp.resolve("y-" + Path.of(model).getFileName() + ".npz");
            TestSupport.Run r = TestSupport.cli("predict", model, "--input", x.toString(), "-o", y.toString(), "--batch-size", "64");
            assertEquals(0, r.code(), r.err());
            Map<String, NdArray> got = Npy.readNpz(y);
            assertEquals(java.util.List.of("dense_1"), java.util.List.copyOf(got.keySet()));
            NdArray want = ref.get("y"), have = got.get("dense_1");
            org.kerasport.dl4j.KerasMatch.assertOutput(n, Nd4j.create(want.data(), want.shape(), 'c'),
                    Nd4j.create(have.data(), have.shape(), 'c'), 0, model);
        }
    }

    @Test
    void existingOutputsAreNotReplacedWithoutForce() throws IOException {
        Path zip = Files.writeString(tmp.resolve("taken.zip"), "precious");
        TestSupport.Run r = TestSupport.cli("convert", SEED.resolve("model.keras").toString(), "-o", zip.toString());
        assertEquals(ExitCode.IO.code, r.code(), r.err());
        assertTrue(r.err().contains("--force"));
        assertEquals("precious", Files.readString(zip));
        assertEquals(0, TestSupport.cli("convert", SEED.resolve("model.keras").toString(), "-o", zip.toString(), "--force", "--quiet").code());
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void inputsThatDoNotFitTheModelAreBadData() throws IOException {
        Path wrong = npy("wrong.npy", new NdArray(new long[]{4, 3}, new float[12], "float32"));
        TestSupport.Run r = TestSupport.cli("predict", SEED.resolve("model.keras").toString(), "--input", wrong.toString(), "-o", tmp.resolve("y.npz").toString());
        assertEquals(ExitCode.BAD_DATA.code, r.code(), r.err());
        assertTrue(r.err().contains("input_layer") && r.err().contains("[4, 3]") && r.err().contains("[None, 2]"), r.err());
        Path npz = tmp.resolve("two.npz");
        Map<String, NdArray> two = new LinkedHashMap<>();
        two.put("a", new NdArray(new long[]{1, 2}, new float[2], "float32"));
        two.put("b", new NdArray(new long[]{1, 2}, new float[2], "float32"));
        try (OutputStream os = Files.newOutputStream(npz)) {
            Npy.writeNpz(os, two);
        }
        TestSupport.Run r2 = TestSupport.cli("predict", SEED.resolve("model.keras").toString(), "--input", npz.toString(), "-o", tmp.resolve("y.npz").toString());
        assertEquals(ExitCode.BAD_DATA.code, r2.code(), r2.err());
        assertTrue(r2.err().contains("no array for input 'input_layer'"), r2.err());
        assertEquals(ExitCode.USAGE.code, TestSupport.cli("predict", SEED.resolve("model.keras").toString(), "-o", "y.npz").code());
        assertEquals(ExitCode.USAGE.code, TestSupport.cli("predict", SEED.resolve("model.keras").toString(), "--input", "x.npy", "-o", "y.npz", "--batch-size", "0").code());
    }

    @Test
    void unsupportedLayersAreReportedTogetherAndLenientDropsThem() {
        // a model whose layers the DL4J mapping cannot compute exactly: every item is listed, exit code 4
        Path carnd = TestSupport.corpus().resolve("carnd-2015131141143821/model.h5");
        TestSupport.Run r = TestSupport.cli("convert", carnd.toString(), "-o", tmp.resolve("c.zip").toString());
        assertEquals(ExitCode.UNSUPPORTED.code, r.code(), r.err());
        assertTrue(r.err().contains("lambda_1") && r.err().contains("lambda_2") && r.err().contains("--lenient"), r.err());
        // inspect --check lists the same items in its JSON, once each
        TestSupport.Run check = TestSupport.cli("inspect", carnd.toString(), "--check", "--json");
        assertEquals(0, check.code(), check.err());
        var items = check.json().get("unsupported");
        assertEquals(3, items.size(), items.toString()); // lambda_1, lambda_2, and no output left to compute
        TestSupport.Run ok = TestSupport.cli("inspect", SEED.resolve("model.keras").toString(), "--check", "--json");
        assertEquals(0, ok.json().get("unsupported").size());
    }
}
