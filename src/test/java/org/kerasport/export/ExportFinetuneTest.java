package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model fine-tuned on the JVM (with an L2 edit) and exported keeps training in real Keras: Keras loads it compiled
 * with the optimizer Kerasport used, its loss on the first batch (penalties included) is Kerasport's, and fit runs. The
 * zip route (finetune -o .zip, then export) gives the same file contents as finetune -o .keras.
 */
@Tag("interop")
class ExportFinetuneTest {
    @TempDir
    Path tmp;

    @Test
    void fineTunedExportContinuesInKeras() throws Exception {
        Path model = Path.of("models/seed_mlp.keras").toAbsolutePath(), train = Path.of("models/seed_mlp_train.npz").toAbsolutePath();
        Path keras = tmp.resolve("tuned.keras"), zip = tmp.resolve("tuned-dl4j.zip"), fromZip = tmp.resolve("from-zip.keras");
        String[] common = {"finetune", model.toString(), "--data", train.toString(), "--epochs", "2", "--batch-size", "50",
                "--shuffle", "false", "--l2", "dense=0.004", "--quiet"};
        var r1 = TestSupport.cli(concat(common, "-o", keras.toString()));
        assertEquals(0, r1.code(), r1.err());
        var r2 = TestSupport.cli(concat(common, "-o", zip.toString()));
        assertEquals(0, r2.code(), r2.err());
        var r3 = TestSupport.cli("export", zip.toString(), "-o", fromZip.toString());
        assertEquals(0, r3.code(), r3.err());
        assertEquals(2, TestSupport.cli("export", zip.toString(), "-o", tmp.resolve("x.bin").toString()).code(), "unknown extension");
        assertEquals(6, TestSupport.cli("export", zip.toString(), "-o", fromZip.toString()).code(), "no overwrite without --force");
        assertEquals(0, TestSupport.cli("export", zip.toString(), "-o", tmp.resolve("o.keras").toString(), "--with-optimizer-state").code());
        assertEquals(4, TestSupport.cli("export", zip.toString(), "-o", tmp.resolve("o.h5").toString(), "--with-optimizer-state").code(),
                "Keras restores optimizer state only from .keras");

        KerasModel a = KerasReader.read(keras), b = KerasReader.read(fromZip);
        ExportKerasTest.sameWeights(a, b, "finetune -o .keras vs export of the zip");
        WeightSpec k = a.graph().layer("dense").orElseThrow().weight("kernel").orElseThrow();
        assertEquals(0.004, k.regularizer().l2(), 0.0, "the --l2 edit is in the exported config");
        // provenance
        try (ZipFile z = new ZipFile(keras.toFile())) {
            JsonNode meta = Json.parse(new String(z.getInputStream(z.getEntry("metadata.json")).readAllBytes()), keras, "metadata.json");
            assertTrue(meta.path("fine_tuning").asText().contains("2 epoch(s)"), meta.toString());
            assertTrue(meta.path("fine_tuning").asText().contains("--l2 dense=0.004"), meta.toString());
            assertEquals(KerasReader.read(model).source().sha256(), meta.path("source_sha256").asText());
            assertTrue(z.getEntry("model.weights.h5").getMethod() == java.util.zip.ZipEntry.STORED);
        }

        // Kerasport's loss on the first batch with the trained weights (Keras' evaluate: penalties included)
        Map<String, NdArray> data = Npy.readNpz(train);
        NdArray x = data.get("x"), y = data.get("y");
        int bs = 50, cols = (int) x.shape()[1];
        float[] xb = java.util.Arrays.copyOf(x.data(), bs * cols), yb = java.util.Arrays.copyOf(y.data(), bs);
        ImportedModel im = Dl4jImporter.importForTraining(a, false);
        double kerasportLoss = im.graph().score(new MultiDataSet(Nd4j.create(xb, new long[]{bs, cols}, 'c'),
                Nd4j.create(yb, new long[]{bs, 1}, 'c')), false);

        ArrayNode jobs = Json.MAPPER.createArrayNode();
        ObjectNode j = jobs.addObject().put("id", "tuned").put("path", keras.toString()).put("form", "keras");
        j.putObject("fit").put("data", train.toString()).put("batch_size", bs).put("epochs", 1);
        Path jobsFile = tmp.resolve("jobs.json"), res = tmp.resolve("res.json");
        Files.writeString(jobsFile, jobs.toString());
        TestSupport.runPython(Path.of("."), 600, "src/test/python/keras_load_exports.py", jobsFile.toString(), res.toString());
        JsonNode r = Json.parse(Files.readString(res), res, null).get("tuned");
        assertTrue(r.path("ok").asBoolean(), r.toString());
        double kerasLoss = r.path("first_batch_loss").asDouble();
        assertEquals(kerasportLoss, kerasLoss, org.kerasport.dl4j.KerasMatch.lossTolerance(0,
                org.kerasport.dl4j.KerasMatch.trainingLength(im, (long) bs * cols), 1, kerasportLoss), "first loss in Keras continues from Kerasport's");
        assertTrue(r.path("history").path("loss").get(0).asDouble() > 0, "fit ran: " + r);
        var opt = a.training().optimizer();
        assertEquals(opt.className(), r.path("optimizer").path("class_name").asText());
        // Keras holds the learning rate in a float32 variable: one rounding
        assertEquals(opt.learningRate(), r.path("optimizer").path("config").path("learning_rate").asDouble(),
                org.kerasport.Tolerances.roundings(1, opt.learningRate()));
        double reg = ExportKerasTest.penalty(a);
        // non-negative terms: Σ|terms| is the penalty itself (Java in double, Keras in float32)
        assertEquals(reg, r.path("reg_loss").asDouble(), org.kerasport.Tolerances.sum(ExportKerasTest.penaltyTerms(a), reg), "model.losses");
        for (LayerSpec l : a.layers()) assertTrue(l.weights().stream().allMatch(w -> w.data() != null));
        assertArrayEquals(new long[]{2, 10}, k.shape());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
