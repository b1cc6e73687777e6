package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.export.Exporter;
import org.kerasport.format.KerasReader;
import org.kerasport.format.KerasWriter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The text/attention layers of issue 17 against real Keras (src/test/python/text_layer_cases.py: EinsumDense,
 * Dot, Attention, AdditiveAttention, GroupedQueryAttention, each in several configurations the seeded generator
 * draws, and the two-block text transformer; attention dropout in {@link #dropoutInTraining}): predictions from
 * both file forms, three training steps (loss and every weight, KerasMatch's float32 bounds, no absolute floors),
 * the DL4J JSON round trip, and the export: the trained model written back as .keras with its optimizer state,
 * which real Keras loads and trains on two more batches exactly as Kerasport does (continue_training.py).
 */
@Tag("interop")
@Tag("trajectory")
class TextLayersKerasTest {
    static Path out;
    static final List<String> cases = new ArrayList<>();

    /**
     * Generates the cases; {@code -Dkerasport.textlayers.dir=D} reads cases generated before into D instead (generated
     * there when D is empty), {@code -Dkerasport.textlayers.only=REGEX} keeps the cases whose name matches.
     */
    @BeforeAll
    static void generate() throws Exception {
        String reuse = System.getProperty("kerasport.textlayers.dir", "");
        if (!reuse.isBlank()) out = Path.of(reuse).toAbsolutePath();
        if (reuse.isBlank()) out = TestSupport.fixture("text_layer_cases.py", 600);
        else if (!Files.isDirectory(out) || Files.list(out).findAny().isEmpty())
            TestSupport.runPython(Path.of("."), 600, Path.of("src/test/python/text_layer_cases.py").toAbsolutePath().toString(), out.toString());
        String only = System.getProperty("kerasport.textlayers.only", "");
        try (var l = Files.list(out)) {
            l.filter(d -> Files.exists(d.resolve("case.json"))).map(d -> d.getFileName().toString())
                    .filter(n -> only.isBlank() || n.matches(only)).sorted().forEach(cases::add);
        }
        assertTrue(only.isBlank() ? cases.size() >= 20 : !cases.isEmpty(), "cases generated: " + cases);
    }

    /**
     * Whether real Keras continues training this case's export in the run: one Python start per case, so the suite
     * does it for the first case of each class and the transformer, and {@code -Dkerasport.textlayers.all=true}
     * (scripts/text-layers.sh) for every case. Every case is trained and exported either way, and TrainedExportKerasTest
     * has real Keras load every export and predict with it in one Python run.
     */
    static boolean kerasContinues(String c) {
        return Boolean.getBoolean("kerasport.textlayers.all") || c.endsWith("_0") || c.startsWith("transformer");
    }

    @TestFactory
    Stream<DynamicTest> casesEqualKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : cases) {
            Path dir = out.resolve(c);
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f + " predict", () -> AttentionKerasTest.predict(dir, f)));
            if (ReferenceData.load(dir).caseJson().path("predict_only").asBoolean(false))
                tests.add(DynamicTest.dynamicTest(c + " dropout in training", () -> dropoutInTraining(dir)));
            else
                tests.add(DynamicTest.dynamicTest(c + " train, export, Keras continues", () -> trainExportContinue(dir)));
            tests.add(DynamicTest.dynamicTest(c + " JSON round trip", () -> AttentionKerasTest.roundTrip(dir)));
        }
        return tests.stream();
    }

    private static INDArray[] inputs(ReferenceData ref, ImportedModel im, String prefix, long from, long rows) {
        INDArray[] x = new INDArray[im.inputs().size()];
        for (int i = 0; i < x.length; i++) {
            String key = prefix + (x.length > 1 ? "__" + im.inputs().get(i) : "");
            INDArray a = ref.array(key);
            x[i] = rows < 0 ? a : a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + rows)).dup();
        }
        return x;
    }

    static void trainExportContinue(Path dir) throws Exception {
        ReferenceData ref = ReferenceData.load(dir);
        JsonNode training = ref.caseJson().get("training");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("model.keras")), false);
        KerasMatch match = new KerasMatch(im, 0, 0);
        String what = dir.getFileName().toString();
        int steps = training.get("steps").asInt();
        for (int k = 0; k < steps; k++) {
            int step = k;
            match.step(inputs(ref, im, "train_x__" + k, 0, -1), new INDArray[]{ref.array("train_y__" + k)},
                    training.get("losses").get(k).asDouble(), w -> ref.array("after__" + step + "__" + w), what);
        }
        // export with the optimizer state; real Keras loads it (compiled) and trains two more batches
        Path exported = Files.createTempDirectory("textlayers").resolve("exported.keras");
        Exporter.write(Exporter.withTrainedWeights(im), exported, KerasWriter.Form.KERAS,
                new KerasWriter.Provenance("test", "TextLayersKerasTest", true), true, () -> null);
        if (!kerasContinues(what)) return;
        int batch = training.get("batch").asInt();
        Map<String, NdArray> data = new LinkedHashMap<>();
        INDArray[] cx = inputs(ref, im, "cont_x", 0, -1);
        for (int i = 0; i < cx.length; i++)
            data.put(cx.length > 1 ? "x__" + im.inputs().get(i) : "x", nd(cx[i]));
        data.put("y", nd(ref.array("cont_y")));
        Path npz = exported.resolveSibling("cont.npz"), res = exported.resolveSibling("cont_out.npz");
        try (OutputStream os = Files.newOutputStream(npz)) {
            Npy.writeNpz(os, data);
        }
        TestSupport.runPython(dir, 300, Path.of("src/test/python/continue_training.py").toAbsolutePath().toString(),
                exported.toString(), npz.toString(), res.toString(), "--steps", "2", "--batch", String.valueOf(batch));
        Map<String, NdArray> k = Npy.readNpz(res);
        assertEquals(steps, (int) k.get("iterations__0").data()[0], what + ": Keras restored the iteration count");
        for (int s = 0; s < 2; s++) {
            int step = s;
            INDArray y = ref.array("cont_y").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s * batch, (s + 1) * batch)).dup();
            match.step(inputs(ref, im, "cont_x", (long) s * batch, batch), new INDArray[]{y}, k.get("loss__" + s).data()[0],
                    w -> arr(k.get("after__" + step + "__" + w)), what + " (Keras on Kerasport's export)");
        }
    }

    /**
     * Attention dropout in training mode: the value inputs are identity matrices, so the output is the attention
     * weights themselves. Each must be 0 (dropped) or Keras' inference weight / (1 − rate) (kept and scaled: one
     * more rounding of a value the prediction bound covers), and the dropped fraction must be within 6 binomial
     * standard deviations of the rate (fails by chance with probability below 1e-8). Keras' draws cannot be
     * reproduced (its random streams are its backend's), so the distribution is what is compared.
     */
    static void dropoutInTraining(Path dir) {
        ReferenceData ref = ReferenceData.load(dir);
        double rate = ref.caseJson().get("config").get("dropout").asDouble();
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("model.keras")), false);
        INDArray[] x = inputs(ref, im, "x", 0, -1);
        INDArray want = ref.array("y");
        long n = org.kerasport.Tolerances.reductionLength(im.graph());
        KerasMatch.assertOutput(n, want, im.graph().output(false, x)[0], 0, dir.getFileName() + " inference");
        INDArray got = im.graph().output(true, x)[0];
        INDArray scaled = want.mul(1.0 / (1.0 - rate));
        double tol = org.kerasport.Tolerances.between(n, org.kerasport.Tolerances.maxAbs(scaled))
                + org.kerasport.Tolerances.roundings(1, org.kerasport.Tolerances.maxAbs(scaled));
        long dropped = 0, total = got.length();
        double worst = 0;
        for (long i = 0; i < total; i++) {
            double g = got.getDouble(i), w = scaled.getDouble(i);
            if (g == 0.0 && w != 0.0) dropped++;
            else worst = Math.max(worst, Math.abs(g - w));
        }
        assertTrue(worst <= tol, dir.getFileName() + ": a kept weight differs from Keras' / (1 - rate) by " + worst + " > " + tol);
        double sd = Math.sqrt(rate * (1 - rate) / total);
        double frac = (double) dropped / total;
        assertTrue(Math.abs(frac - rate) <= 6 * sd, dir.getFileName() + ": dropped " + frac + " of the weights, rate " + rate);
        INDArray again = im.graph().output(true, x)[0];
        assertTrue(!again.equals(got), "each training pass draws new multipliers");
    }

    private static NdArray nd(INDArray a) {
        return new NdArray(a.shape(), NdArrays.floats(a), "<f4");
    }

    private static INDArray arr(NdArray a) {
        return Nd4j.create(a.data(), a.shape(), 'c');
    }
}
