package org.kerasport.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.format.Json;

/** {@code kerasport finetune} from the command line: outputs, options, errors, and resuming after SIGKILL. */
@Tag("interop")
@Tag("corpus")
class FinetuneCliTest {
    @TempDir
    Path tmp;

    static final String MODEL = "models/seed_mlp.keras", TRAIN = "models/seed_mlp_train.npz", VAL = "models/seed_mlp_val.npz";

    @Test
    void writesTheModelHistoryPlotAndWeightNorms() throws IOException {
        Path out = tmp.resolve("tuned.zip");
        TestSupport.Run r = TestSupport.cli("finetune", MODEL, "--data", TRAIN, "--val", VAL, "--epochs", "2", "-o", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(out) > 0);
        JsonNode h = Json.parse(Files.readString(tmp.resolve("tuned-history.json")), null, "history");
        for (String k : new String[]{"loss", "accuracy", "val_loss", "val_accuracy"}) assertEquals(2, h.get("history").get(k).size(), k);
        assertTrue(Files.readString(tmp.resolve("tuned-history.csv")).startsWith("epoch,"));
        assertTrue(ImageIO.read(tmp.resolve("tuned-history.png").toFile()).getWidth() > 0);
        String norms = Files.readString(tmp.resolve("tuned-weight-norms.csv"));
        assertTrue(norms.contains("dense") && norms.contains("kernel"), norms);
        // the trained zip predicts
        Path x = tmp.resolve("x.npy");
        Files.write(x, org.kerasport.data.Npy.npyBytes(org.kerasport.data.Npy.readNpz(Path.of(VAL)).get("x")));
        assertEquals(0, TestSupport.cli("predict", out.toString(), "--input", x.toString(), "-o", tmp.resolve("y.npz").toString()).code());
        // nothing is replaced without --force, and the check happens before any training
        TestSupport.Run again = TestSupport.cli("finetune", MODEL, "--data", TRAIN, "--epochs", "1", "-o", out.toString(), "--quiet");
        assertEquals(ExitCode.IO.code, again.code());
        assertTrue(again.err().contains("--force"), again.err());
    }

    /**
     * The README's main job (5 epochs on the bundled sample, continuing its Adam state, output .keras) keeps or improves
     * what Keras reported for the saved model at the end of its own training (seed_example/history.json).
     */
    @Test
    void theReadmeJobHoldsOrImprovesTheValidationMetrics() throws IOException {
        Path out = tmp.resolve("tuned.keras");
        TestSupport.Run r = TestSupport.cli("finetune", MODEL, "--data", TRAIN, "--val", VAL, "--epochs", "5", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("continued from the state stored in the file (320 iterations)"), r.out());
        JsonNode keras = Json.parse(Files.readString(TestSupport.reference().resolve("seed_example/history.json")), null, "history").get("history");
        JsonNode ours = Json.parse(Files.readString(tmp.resolve("tuned-history.json")), null, "history").get("history");
        double kerasAcc = keras.get("val_accuracy").get(9).asDouble(), kerasLoss = keras.get("val_loss").get(9).asDouble();
        // Keras's accuracy: a float32 mean (one rounding)
        assertTrue(ours.get("val_accuracy").get(4).asDouble() >= kerasAcc - org.kerasport.Tolerances.roundings(1, kerasAcc), "val_accuracy holds: " + ours.get("val_accuracy") + " vs " + kerasAcc);
        assertTrue(ours.get("val_loss").get(4).asDouble() <= kerasLoss, "val_loss improves: " + ours.get("val_loss") + " vs " + kerasLoss);
    }

    @Test
    void badInputGetsClearMessages() {
        Path out = tmp.resolve("o.zip");
        TestSupport.Run r = TestSupport.cli("finetune", MODEL, "--data", VAL.replace("val", "nope"), "-o", out.toString());
        assertEquals(ExitCode.IO.code, r.code(), r.err());
        TestSupport.Run wrongShape = TestSupport.cli("finetune", "../shared/keras-reference/reg_dense/model.keras", "--data", TRAIN, "-o", out.toString());
        assertEquals(ExitCode.BAD_DATA.code, wrongShape.code(), wrongShape.err());
        assertTrue(wrongShape.err().contains("(None, 5)"), wrongShape.err());
        TestSupport.Run uncompiled = TestSupport.cli("finetune", "../shared/keras-reference/layers/layer_norm/model.keras", "--data", TRAIN, "-o", out.toString());
        assertEquals(ExitCode.USAGE.code, uncompiled.code(), uncompiled.err());
        assertTrue(uncompiled.err().contains("--optimizer") || uncompiled.err().contains("--loss"), uncompiled.err());
        assertEquals(ExitCode.USAGE.code, TestSupport.cli("finetune", MODEL, "--data", TRAIN, "-o", out.toString(), "--shuffle", "maybe").code());
        assertEquals(ExitCode.USAGE.code, TestSupport.cli("finetune", MODEL, "--data", TRAIN, "-o", out.toString(), "--freeze", "nosuchlayer").code());
        assertEquals(ExitCode.USAGE.code, TestSupport.cli("finetune", MODEL, "--data", TRAIN, "-o", tmp.resolve("o.onnx").toString()).code());
    }

    /**
     * --two-threads reaches FineTuner: on a real-Keras CNN (conv_trajectories.py's maxpool_ties) trained past step 240
     * (9 epochs of 30 batches, the last split), the CLI's histories equal the API's with two-thread steps on and off.
     */
    @Test
    void twoThreadsOptionChoosesTheStep() throws IOException {
        Path model = org.kerasport.dl4j.ConvInteropTest.generated().resolve("maxpool_ties/model.keras"), data = tmp.resolve("d.npz");
        java.util.Random r = new java.util.Random(4);
        float[] x = new float[480 * 7 * 8 * 2], y = new float[480 * 3];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(3);
        for (int i = 0; i < 480; i++) y[i * 3 + r.nextInt(3)] = 1;
        try (var os = Files.newOutputStream(data)) {
            org.kerasport.data.Npy.writeNpz(os, java.util.Map.of("x", new org.kerasport.data.NdArray(new long[]{480, 7, 8, 2}, x, "float32"),
                    "y", new org.kerasport.data.NdArray(new long[]{480, 3}, y, "float32")));
        }
        var km = org.kerasport.format.KerasReader.read(model);
        var train = org.kerasport.train.data.DataSources.load(data.toString(), List.of(), org.kerasport.train.ModelOutputs.signature(km));
        List<Double> split = null, whole = null;
        for (boolean two : new boolean[]{true, false}) {
            List<Double> api = org.kerasport.train.FineTuner.builder(km).data(train).epochs(9).batchSize(16).shuffle(false)
                    .twoThreadSteps(two).build().run().history().get("loss");
            Path out = tmp.resolve("t-" + two + ".zip");
            TestSupport.Run run = TestSupport.cli("finetune", model.toString(), "--data", data.toString(), "-o", out.toString(), "--epochs", "9",
                    "--batch-size", "16", "--shuffle", "false", "--two-threads", String.valueOf(two), "--quiet");
            assertEquals(0, run.code(), run.err());
            JsonNode h = Json.parse(Files.readString(tmp.resolve("t-" + two + "-history.json")), null, "history");
            List<Double> cli = new ArrayList<>();
            h.get("history").get("loss").forEach(v -> cli.add(v.asDouble()));
            assertEquals(api, cli, "--two-threads " + two);
            if (two) split = api; else whole = api;
        }
        assertEquals(split.subList(0, 8), whole.subList(0, 8), "the first 240 steps train whole either way");
        // the split epoch: each step sums its gradient in another order, so the epoch's 30 steps differ as two
        // implementations of the training step would (KerasMatch's loss bound after 30 steps)
        long n = org.kerasport.dl4j.KerasMatch.trainingLength(org.kerasport.dl4j.Dl4jImporter.importForTraining(km, false),
                16L * train.inputs().get(0).shape()[1]);
        assertEquals(split.get(8), whole.get(8), org.kerasport.dl4j.KerasMatch.lossTolerance(0, n, 30, whole.get(8)),
                "the split epoch: the same step up to rounding");
        assertEquals(ExitCode.USAGE.code, TestSupport.cli("finetune", model.toString(), "--data", data.toString(), "-o",
                tmp.resolve("u.zip").toString(), "--two-threads", "sometimes").code());
    }

    @Test
    void freezingKeepsLayersUnchangedAndOverridesApply() throws IOException {
        Path out = tmp.resolve("f.zip");
        TestSupport.Run r = TestSupport.cli("finetune", MODEL, "--data", TRAIN, "--epochs", "1", "-o", out.toString(),
                "--freeze", "dense", "--l2", "0.01", "--lr", "0.05");
        assertEquals(0, r.code(), r.err());
        String norms = Files.readString(tmp.resolve("f-weight-norms.csv"));
        for (String line : norms.split("\n"))
            if (line.startsWith("dense,")) assertTrue(line.contains("(frozen)"), line);
        assertTrue(r.out().contains("L2(l2=0.01)"), "the override shows in the report:\n" + r.out());
    }

    @Test
    void replaceHeadTrainsANewOutputLayer() throws IOException {
        var val = org.kerasport.data.Npy.readNpz(Path.of(VAL));
        var x = val.get("x");
        float[] y1 = val.get("y").data(), onehot = new float[y1.length * 3];
        for (int i = 0; i < y1.length; i++) onehot[i * 3 + (int) y1[i]] = 1f;
        java.util.Map<String, org.kerasport.data.NdArray> d = new java.util.LinkedHashMap<>();
        d.put("x", x);
        d.put("y", new org.kerasport.data.NdArray(new long[]{y1.length, 3}, onehot, "float32"));
        Path data = tmp.resolve("three.npz");
        try (var os = Files.newOutputStream(data)) {
            org.kerasport.data.Npy.writeNpz(os, d);
        }
        Path out = tmp.resolve("h.zip");
        TestSupport.Run r = TestSupport.cli("finetune", MODEL, "--data", data.toString(), "--epochs", "2", "-o", out.toString(),
                "--replace-head", "3", "--loss", "categorical_crossentropy", "--freeze", "dense", "--quiet");
        assertEquals(0, r.code(), r.err());
        Path xs = tmp.resolve("x.npy");
        Files.write(xs, org.kerasport.data.Npy.npyBytes(x));
        assertEquals(0, TestSupport.cli("predict", out.toString(), "--input", xs.toString(), "-o", tmp.resolve("y.npz").toString()).code());
        assertArrayEquals(new long[]{200, 3}, org.kerasport.data.Npy.readNpz(tmp.resolve("y.npz")).get("dense_1").shape());
    }

    /** A run killed with SIGKILL after some epochs and resumed ends with the same weights as an uninterrupted run. */
    @Test
    void resumedAfterSigkillEqualsUninterrupted() throws Exception {
        Path full = tmp.resolve("full.zip"), resumed = tmp.resolve("resumed.zip"), ckpt = tmp.resolve("ckpt");
        List<String> common = List.of("finetune", MODEL, "--data", TRAIN, "--val", VAL, "--epochs", "8", "--seed", "7",
                "--early-stopping", "5", "--quiet");
        assertEquals(0, TestSupport.cli(concat(common, "-o", full.toString())).code());

        Process p = java(concat(common, "-o", resumed.toString(), "--checkpoint-dir", ckpt.toString()));
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && epochsDone(ckpt) < 3) Thread.sleep(20);
        p.destroyForcibly(); // SIGKILL
        p.waitFor(30, TimeUnit.SECONDS);
        int done = epochsDone(ckpt);
        assertTrue(done >= 3 && done < 8, "killed after epoch " + done);
        assertTrue(!Files.exists(resumed), "the killed run wrote no model");
        TestSupport.Run r = TestSupport.cli(concat(common, "-o", resumed.toString(), "--checkpoint-dir", ckpt.toString(), "--resume"));
        assertEquals(0, r.code(), r.err());
        ComputationGraph a = ModelSerializer.restoreComputationGraph(full.toFile(), true);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(resumed.toFile(), true);
        assertArrayEquals(a.params().data().asFloat(), b.params().data().asFloat(), 0f, "same weights");
        assertArrayEquals(a.getUpdater().getStateViewArray().data().asFloat(), b.getUpdater().getStateViewArray().data().asFloat(), 0f, "same optimizer state");
        assertEquals(Files.readString(tmp.resolve("full-history.csv")), Files.readString(tmp.resolve("resumed-history.csv")));
    }

    private static int epochsDone(Path ckpt) {
        try {
            Path s = ckpt.resolve("state.json");
            return Files.exists(s) ? Json.parse(Files.readString(s), s, null).get("epochs_done").asInt() : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String[] concat(List<String> a, String... more) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(more));
        return l.toArray(new String[0]);
    }

    private static Process java(String[] args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
