package org.kerasport.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.KerasMatch;
import org.kerasport.format.KerasReader;

/**
 * Spark tier: {@code kerasport finetune --spark local[2]} in-process (its own Spark context; SparkFinetuneTest's is
 * stopped by then): the same outputs as the local command (model file, history json/csv/png, weight norms), the same
 * losses within the SparkFinetuneTest bound, and a run resumed from its checkpoint on Spark ends where an
 * uninterrupted local run does.
 */
@Tag("spark")
class SparkCliTest {
    @TempDir
    Path tmp;

    private static final String MODEL = "models/seed_mlp.keras", DATA = "models/seed_mlp_train.npz";

    @Test
    void finetuneWithSparkWritesWhatTheLocalCommandWritesAndResumes() throws IOException {
        Path local = tmp.resolve("local.keras"), first = tmp.resolve("first.keras"), resumed = tmp.resolve("resumed.keras");
        Path ckpt = tmp.resolve("ckpt");
        ok(TestSupport.cli("finetune", MODEL, "--data", DATA, "--epochs", "2", "--batch-size", "100", "--quiet", "-o", local.toString()));
        ok(TestSupport.cli("finetune", MODEL, "--data", DATA, "--epochs", "1", "--batch-size", "100", "--quiet", "--spark", "local[2]",
                "--spark-partitions", "3", "--checkpoint-dir", ckpt.toString(), "-o", first.toString()));
        ok(TestSupport.cli("finetune", MODEL, "--data", DATA, "--epochs", "2", "--batch-size", "100", "--quiet", "--spark", "local[2]",
                "--spark-partitions", "3", "--checkpoint-dir", ckpt.toString(), "--resume", "-o", resumed.toString()));
        for (String suffix : new String[]{"-history.json", "-history.csv", "-history.png", "-weight-norms.csv"})
            assertTrue(Files.size(tmp.resolve("resumed" + suffix)) > 0, "resumed" + suffix);
        JsonNode want = new ObjectMapper().readTree(tmp.resolve("local-history.json").toFile()).get("history").get("loss");
        JsonNode got = new ObjectMapper().readTree(tmp.resolve("resumed-history.json").toFile()).get("history").get("loss");
        // the SparkFinetuneTest bound: 10 steps an epoch, batch 100 of 2 features
        long n = KerasMatch.trainingLength(Dl4jImporter.importForTraining(KerasReader.read(Path.of(MODEL)), false), 100L * 2);
        assertEquals(2, got.size());
        for (int e = 0; e < 2; e++)
            assertEquals(want.get(e).asDouble(), got.get(e).asDouble(), KerasMatch.lossTolerance(0, n, (e + 1) * 10, want.get(e).asDouble()), "loss of epoch " + (e + 1));
        var start = Dl4jImporter.importForTraining(KerasReader.read(Path.of(MODEL)), false);
        var a = Dl4jImporter.importForTraining(KerasReader.read(local), false);
        var b = Dl4jImporter.importForTraining(KerasReader.read(resumed), false);
        for (org.kerasport.dl4j.WeightBinding wb : a.bindings()) {
            long[] shape = a.keras().graph().layer(wb.kerasLayer()).flatMap(l -> l.weight(wb.kerasWeight())).orElseThrow().shape();
            var w = KerasMatch.kerasValue(a, wb, shape);
            KerasMatch.assertMaxDiff(w, KerasMatch.kerasValue(b, wb, shape),
                    KerasMatch.finalWeightTolerance(n, 20, KerasMatch.kerasValue(start, wb, shape), w), wb.kerasLayer() + "/" + wb.kerasWeight());
        }
    }

    @Test
    void sparkPartitionsNeedsSpark() {
        TestSupport.Run r = TestSupport.cli("finetune", MODEL, "--data", DATA, "--spark-partitions", "2", "-o", tmp.resolve("x.keras").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--spark-partitions needs --spark MASTER"), r.err());
    }

    private static void ok(TestSupport.Run r) {
        assertEquals(0, r.code(), r.out() + r.err());
    }
}
