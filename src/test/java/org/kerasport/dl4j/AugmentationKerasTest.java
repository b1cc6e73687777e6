package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.Tolerances;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.layers.KerasRandomTransformImpl;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The training transforms of RandomRotation, RandomZoom, RandomTranslation and RandomCrop against real Keras 3
 * (src/test/python/augment_cases.py writes the models and Keras' numbers):
 * <ul>
 * <li>with degenerate factor ranges (lower == upper) the transform is deterministic, and Kerasport's training output
 * equals Keras' {@code layer(x, training=True)} for every fill_mode and interpolation; RandomCrop's draw-free training
 * paths (same size, centred slice, slice resized) likewise;</li>
 * <li>with random factors, the parameters Kerasport draws have Keras' distribution (extent and mean against Keras' own
 * draws of the same layers); RandomCrop's training output is a window of the input, as Keras';</li>
 * <li>the augmentation in front of a small conv model fine-tunes from the command line (the loss falls; --seed decides
 * the draws), and the export loads in Keras, predicts as Kerasport does and Keras keeps training it;</li>
 * <li>the guide's two phases from the command line (frozen base, logits head with BinaryCrossentropy(from_logits);
 * then {@code --unfreeze base --lr}, or only the base's top layer: {@code --unfreeze base/conv2}) give Keras'
 * predictions after each phase.</li>
 * </ul>
 */
@Tag("interop")
class AugmentationKerasTest {
    static Path out;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void generate() {
        out = TestSupport.fixture("augment_cases.py", 600);
    }

    /**
     * Tolerance for bilinear outputs: both sides compute the transform and the coordinates with the same float32
     * operations in the same order (ImageSampling mirrors TensorFlow's kernel), except sin/cos, whose float32 results
     * may differ by 2 ulps (4u relative) between libraries. That moves a matrix entry by at most 4u·|entry| and a
     * coordinate, a sum of three terms each at most 2·(h + w) in size, by at most δc = 3·4u·2·(h + w). Bilinear
     * interpolation changes by at most 2·max|v| per pixel of coordinate along each of the two axes, so outputs differ
     * by at most 2·δc·2·M, plus the interpolation's own 6 roundings (the resize is written in another but equivalent
     * form), M = max(|x|, |fill_value|). Nearest interpolation and plain crops copy values: exact (the fixture checks
     * that no coordinate lies within 1e-3 pixel of a rounding step, far beyond δc).
     */
    static double bilinearTolerance(int h, int w, double m) {
        double dc = 3 * 4 * Tolerances.U * 2 * (h + w);
        return 2 * dc * 2 * m + Tolerances.roundings(6, m);
    }

    @Test
    void degenerateFactorsGiveKerasTrainingOutputExactly() {
        Path dir = out.resolve("deterministic");
        ReferenceData ref = ReferenceData.load(dir);
        // images out: no loss Kerasport trains on, so imported for inference and run in training mode
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("model.keras")), false);
        assertTrue(im.report().stream().noneMatch(n -> n.startsWith("training: ")), im.report().toString());
        INDArray x = ref.array("x");
        Map<String, INDArray> acts = im.graph().feedForward(new INDArray[]{x}, true, false);
        double m = Math.max(Tolerances.maxAbs(x), Math.abs(ref.caseJson().get("fill_value").asDouble()));
        int checked = 0;
        for (JsonNode n : ref.caseJson().get("layers")) {
            String name = n.asText();
            INDArray want = ref.array("y__" + name), got = acts.get(name);
            assertNotNull(got, name);
            assertArrayEquals(want.shape(), got.shape(), name + ": shape");
            boolean exact = name.endsWith("_nearest") || (name.startsWith("crop") && !name.equals("crop_resize"));
            double tol = exact ? 0 : bilinearTolerance((int) x.size(1), (int) x.size(2), m);
            double diff = Tolerances.maxAbs(got.castTo(DataType.FLOAT).sub(want));
            assertTrue(diff <= tol, name + ": |Kerasport − Keras| = " + diff + " > " + tol);
            // not the identity: the comparison means something
            if (!name.equals("crop_same") && got.equalShapes(x)) assertTrue(Tolerances.maxAbs(got.sub(x)) > 0.1, name);
            checked++;
        }
        assertEquals(52, checked, "6 affine layers x 4 fill modes x 2 interpolations, 4 crops");
        // the identity at inference, as Keras
        INDArray[] inference = im.graph().output(false, x);
        for (INDArray y : inference) if (y.equalShapes(x)) assertEquals(0, Tolerances.maxAbs(y.sub(x)), 0);
    }

    @Test
    void randomCropTakesOneWindowPerBatchAsKeras() {
        Path dir = out.resolve("window");
        ReferenceData ref = ReferenceData.load(dir);
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("model.keras")), false);
        INDArray x = ref.array("x");
        assertTrue(isWindow(x, ref.array("keras_y")), "Keras' training output is a window of x, one for the batch");
        Nd4j.getRandom().setSeed(4);
        for (int rep = 0; rep < 10; rep++) {
            INDArray got = im.graph().feedForward(new INDArray[]{x}, true, false).get("crop_window");
            assertArrayEquals(new long[]{4, 5, 6, 2}, got.shape());
            assertTrue(isWindow(x, got), "Kerasport's training output is a window of x, one for the batch");
        }
        assertEquals(0, Tolerances.maxAbs(im.graph().output(false, x)[0].sub(x)), 0, "the identity at inference (Keras 3)");
    }

    private static boolean isWindow(INDArray x, INDArray y) {
        int h = (int) y.size(1), w = (int) y.size(2);
        for (int top = 0; top + h <= x.size(1); top++)
            for (int left = 0; left + w <= x.size(2); left++) {
                INDArray win = x.get(NDArrayIndex.all(), NDArrayIndex.interval(top, top + h), NDArrayIndex.interval(left, left + w),
                        NDArrayIndex.all());
                if (win.equalsWithEps(y.castTo(x.dataType()), 0)) return true;
            }
        return false;
    }

    /**
     * Random factors: per layer and parameter, Kerasport's draws (2000 samples; RandomCrop: 400 batches) against Keras'
     * own (as many): the extents agree within 1% of the range (the chance that 2000 uniform draws leave 1% of either end
     * empty is 0.99^2000 ≈ 2e-9) and the means within 5 standard errors of their difference.
     */
    @Test
    void randomFactorsDrawKerasDistribution() {
        Path dir = out.resolve("random");
        ReferenceData ref = ReferenceData.load(dir);
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("model.keras")), false);
        Nd4j.getRandom().setSeed(21);
        INDArray big = Nd4j.zeros(DataType.FLOAT, 2000, 7, 9, 2);
        Map<String, double[]> ours = new TreeMap<>();
        for (String layer : new String[]{"rot_range", "rot_number", "zoom_same", "zoom_both", "shift"}) {
            KerasRandomTransformImpl l = (KerasRandomTransformImpl) im.graph().getLayer(layer);
            l.activate(big, true, LayerWorkspaceMgr.noWorkspaces());
            double[][] p = l.lastParameters();
            String[] names = layer.startsWith("rot") ? new String[]{"angle"} : layer.startsWith("zoom") ? new String[]{"zx", "zy"} : new String[]{"dx", "dy"};
            for (int k = 0; k < names.length; k++) {
                double[] v = new double[p.length];
                for (int i = 0; i < p.length; i++) v[i] = p[i][k];
                ours.put(layer + "__" + names[k], v);
            }
        }
        KerasRandomTransformImpl crop = (KerasRandomTransformImpl) im.graph().getLayer("crop");
        double[] top = new double[400], left = new double[400];
        for (int i = 0; i < 400; i++) {
            INDArray y = crop.activate(big.get(NDArrayIndex.interval(0, 1)).dup(), true, LayerWorkspaceMgr.noWorkspaces());
            assertArrayEquals(new long[]{1, 4, 5, 2}, y.shape());
            top[i] = crop.lastParameters()[0][0];
            left[i] = crop.lastParameters()[0][1];
        }
        ours.put("crop__top", top);
        ours.put("crop__left", left);
        for (Map.Entry<String, double[]> e : ours.entrySet()) {
            double[] k = ref.array("keras__" + e.getKey()).castTo(DataType.DOUBLE).toDoubleVector(), o = e.getValue();
            double kMin = min(k), kMax = max(k), range = kMax - kMin;
            assertTrue(range > 0, e.getKey());
            assertEquals(kMin, min(o), 0.01 * range, e.getKey() + ": lower end");
            assertEquals(kMax, max(o), 0.01 * range, e.getKey() + ": upper end");
            double se = Math.sqrt(var(k) / k.length + var(o) / o.length);
            assertEquals(mean(k), mean(o), 5 * se, e.getKey() + ": mean");
        }
        // RandomZoom without width_factor: one draw for both axes; with it, two independent draws
        assertArrayEquals(ours.get("zoom_same__zx"), ours.get("zoom_same__zy"));
        double r = corr(ours.get("zoom_both__zx"), ours.get("zoom_both__zy"));
        assertTrue(Math.abs(r) < 5 / Math.sqrt(2000), "zoom axes independent: r = " + r);
    }

    /**
     * The guide's augmentation (rotation, zoom, translation, crop) in front of a small conv model, fine-tuned from the
     * command line: the loss falls over the epochs; with --shuffle false the only randomness is the augmentation, so
     * the same --seed gives the same run and another seed another; the .keras export loads in Keras, predicts what
     * Kerasport predicts (identity augmentation at inference) and Keras keeps training it (fit from the loaded
     * optimizer state, finite losses).
     */
    @Test
    void augmentedModelFinetunesExportsAndKerasKeepsTraining() throws Exception {
        Path dir = out.resolve("finetune"), model = dir.resolve("model.keras"), train = dir.resolve("train.npz");
        double[][] losses = new double[3][];
        String[] seeds = {"7", "7", "8"};
        Path[] tuned = new Path[3];
        for (int i = 0; i < 3; i++) {
            Path o = tmp.resolve("tuned" + i + ".keras");
            TestSupport.Run r = TestSupport.cli("finetune", model.toString(), "--data", train.toString(), "--epochs", "6",
                    "--batch-size", "32", "--shuffle", "false", "--seed", seeds[i], "-o", o.toString());
            assertEquals(0, r.code(), r.err());
            // every epoch draws anew: the augmented images are never served from the frozen-prefix feature cache
            assertTrue(r.out().contains("feature cache: off ('rotate' draws random numbers in training)"), r.out());
            JsonNode h = Json.parse(Files.readString(tmp.resolve("tuned" + i + "-history.json")), null, "history");
            JsonNode l = h.get("history").get("loss");
            losses[i] = new double[l.size()];
            for (int e = 0; e < l.size(); e++) losses[i][e] = l.get(e).asDouble();
            tuned[i] = o;
        }
        assertTrue(losses[0][5] < 0.8 * losses[0][0], "the loss falls: " + java.util.Arrays.toString(losses[0]));
        assertArrayEquals(losses[0], losses[1], "the same --seed, the same augmentation draws");
        assertNotEquals(losses[0][1], losses[2][1], "another --seed, other draws");

        // Keras loads the export, predicts as Kerasport, and keeps training it
        Map<String, NdArray> data = Npy.readNpz(train);
        NdArray xs = data.get("x");
        INDArray x = Nd4j.create(java.util.Arrays.copyOf(xs.data(), 8 * 12 * 12 * 3), new long[]{8, 12, 12, 3}, 'c');
        Path xFile = tmp.resolve("x.npz"), yFile = tmp.resolve("y.npz"), jobs = tmp.resolve("jobs.json"), res = tmp.resolve("res.json");
        try (OutputStream os = Files.newOutputStream(xFile)) {
            Npy.writeNpz(os, Map.of("x", new NdArray(x.shape(), x.data().asFloat(), "float32")));
        }
        ArrayNode js = Json.MAPPER.createArrayNode();
        ObjectNode j = js.addObject();
        j.put("id", "tuned");
        j.put("path", tuned[0].toString());
        j.put("form", "keras");
        j.put("x", xFile.toString());
        j.put("out", yFile.toString());
        j.put("compile", true);
        ObjectNode fit = j.putObject("fit");
        fit.put("data", train.toString());
        fit.put("batch_size", 32);
        fit.put("epochs", 2);
        Files.writeString(jobs, Json.MAPPER.writeValueAsString(js));
        TestSupport.runPython(Path.of("."), 600, "src/test/python/keras_load_exports.py", jobs.toString(), res.toString());
        JsonNode r = Json.MAPPER.readTree(Files.readString(res)).get("tuned");
        assertTrue(r.get("ok").asBoolean(), "Keras loads the export: " + r);
        JsonNode kl = r.get("history").get("loss");
        assertEquals(2, kl.size(), r.toString());
        for (JsonNode v : kl) assertTrue(Double.isFinite(v.asDouble()) && v.asDouble() < losses[0][0], "Keras keeps training: " + kl);
        ImportedModel back = Dl4jImporter.importModel(KerasReader.read(tuned[0]), false);
        INDArray ours = back.graph().output(false, x)[0];
        NdArray ky = Npy.readNpz(yFile).get("y__0");
        INDArray theirs = Nd4j.create(ky.data(), ky.shape(), 'c');
        long n = Tolerances.reductionLength(back.graph());
        KerasMatch.assertOutput(n, theirs, ours, 1e-5, "tuned export: Keras' predictions");
    }

    /**
     * The guide's recipe without its random layers, both phases from the command line, against Keras' own fit of the
     * same batches (augment_cases.py, recipe). Tolerance: the 1e-4·max(1, |y|) for one epoch (8 Adam steps)
     * per phase: each step's gradient carries float32 rounding of relative size ~1e-6 (sums of at most 3·3·5 products
     * per value), which Adam passes on to steps of size lr, so after 16 steps weights differ by ~16·lr·1e-6·(gain of
     * Adam's normalisation) and outputs by far less than 1e-4 of their magnitude.
     */
    @Test
    void guideRecipeTwoPhasesFromTheCommandLineMatchKeras() {
        Path dir = out.resolve("recipe"), model = dir.resolve("model.keras"), train = dir.resolve("train.npz");
        ReferenceData ref = ReferenceData.load(dir);
        Path p1 = tmp.resolve("phase1.keras"), p2 = tmp.resolve("phase2.keras");
        String[] common = {"--data", train.toString(), "--epochs", "1", "--batch-size", "8", "--shuffle", "false", "--quiet"};
        TestSupport.Run r1 = TestSupport.cli(concat(new String[]{"finetune", model.toString(), "-o", p1.toString()}, common));
        assertEquals(0, r1.code(), r1.err());
        TestSupport.Run r2 = TestSupport.cli(concat(new String[]{"finetune", p1.toString(), "-o", p2.toString(), "--unfreeze", "base",
                "--lr", "1e-4"}, common));
        assertEquals(0, r2.code(), r2.err());
        Path p2top = tmp.resolve("phase2top.keras"); // the base's top layer only (base/conv2), the rest frozen
        TestSupport.Run r3 = TestSupport.cli(concat(new String[]{"finetune", p1.toString(), "-o", p2top.toString(), "--unfreeze",
                "base/conv2", "--lr", "1e-4"}, common));
        assertEquals(0, r3.code(), r3.err());
        INDArray x = ref.array("x_eval");
        String[] phases = {"y0", "y1", "y2", "y2_top"};
        Path[] files = {model, p1, p2, p2top};
        for (int i = 0; i < phases.length; i++) {
            INDArray want = ref.array(phases[i]);
            INDArray got = Dl4jImporter.importModel(KerasReader.read(files[i]), false).graph().output(false, x)[0];
            double tol = 1e-4 * Math.max(1, Tolerances.maxAbs(want));
            double diff = Tolerances.maxAbs(got.castTo(DataType.FLOAT).sub(want));
            assertTrue(diff <= tol, phases[i] + ": |Kerasport − Keras| = " + diff + " > " + tol);
        }
        // each phase moved the predictions by far more than the tolerance: the comparison means something
        assertTrue(Tolerances.maxAbs(ref.array("y1").sub(ref.array("y0"))) > 1e-2);
        assertTrue(Tolerances.maxAbs(ref.array("y2").sub(ref.array("y1"))) > 1e-2);
        assertTrue(Tolerances.maxAbs(ref.array("y2_top").sub(ref.array("y2"))) > 1e-2, "top-layer phase differs from the full one");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElseThrow();
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElseThrow();
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElseThrow();
    }

    private static double var(double[] v) {
        double m = mean(v);
        return java.util.Arrays.stream(v).map(a -> (a - m) * (a - m)).sum() / (v.length - 1);
    }

    private static double corr(double[] a, double[] b) {
        double ma = mean(a), mb = mean(b), s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
        return s / (a.length - 1) / Math.sqrt(var(a) * var(b));
    }
}
