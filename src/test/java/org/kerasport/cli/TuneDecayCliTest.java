package org.kerasport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.format.Json;

/** {@code kerasport tune-decay} on the bundled sample: the JSON contract, the files, the refit, determinism, errors. */
@Tag("unit")
class TuneDecayCliTest {
    @TempDir
    Path tmp;

    static final String MODEL = "models/seed_mlp.keras", TRAIN = "models/seed_mlp_train.npz", VAL = "models/seed_mlp_val.npz";

    @Test
    void jsonFilesAndRefitAndTheSameResultWithOneThreadOrTwo() throws IOException {
        Path dir = tmp.resolve("search"), out = tmp.resolve("best.zip");
        List<String> common = List.of("tune-decay", MODEL, "--data", TRAIN, "--folds", "2", "--values", "1e-4,0.01", "--epochs", "1",
                "--penalty", "l2", "--penalty", "decoupled", "--seed", "3", "--json");
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of("--threads", "2", "--out-dir", dir.toString(), "--refit", "-o", out.toString()));
        TestSupport.Run r = TestSupport.cli(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonNode j = Json.parse(r.out(), null, "stdout");
        List<String> top = new ArrayList<>();
        j.fieldNames().forEachRemaining(top::add);
        assertEquals(List.of("results", "best"), top);
        assertEquals(4, j.get("results").size());
        List<String> fields = new ArrayList<>();
        j.get("results").get(0).fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("penalty", "lambda", "val_loss_mean", "val_loss_sd", "val_accuracy_mean", "val_accuracy_sd"), fields);
        assertEquals("l2", j.get("results").get(0).get("penalty").asText());
        assertEquals(1e-4, j.get("results").get(0).get("lambda").asDouble());
        assertEquals("decoupled", j.get("results").get(3).get("penalty").asText());
        List<String> best = new ArrayList<>();
        j.get("best").fieldNames().forEachRemaining(best::add);
        assertEquals(List.of("penalty", "lambda"), best);
        double bestLoss = Double.POSITIVE_INFINITY;
        String bestKey = null;
        for (JsonNode row : j.get("results"))
            if (row.get("val_loss_mean").asDouble() < bestLoss) {
                bestLoss = row.get("val_loss_mean").asDouble();
                bestKey = row.get("penalty").asText() + " " + row.get("lambda").asDouble();
            }
        assertEquals(bestKey, j.get("best").get("penalty").asText() + " " + j.get("best").get("lambda").asDouble());

        String csv = Files.readString(dir.resolve("tune-decay.csv"));
        assertTrue(csv.startsWith("penalty,lambda,val_loss_mean,val_loss_sd,val_accuracy_mean,val_accuracy_sd,best\r\n"), csv);
        assertEquals(5, csv.split("\r\n").length);
        assertEquals(9, Files.readString(dir.resolve("tune-decay-folds.csv")).split("\r\n").length); // header + 2 × 2 × 2 fits
        assertTrue(ImageIO.read(dir.resolve("tune-decay.png").toFile()).getWidth() > 0);
        assertTrue(Files.size(out) > 0);
        assertTrue(Files.exists(tmp.resolve("best-history.json")) && Files.exists(tmp.resolve("best-history.png")));

        // deterministic with --seed, whether fits run one at a time or two at once
        List<String> b = new ArrayList<>(common);
        b.addAll(List.of("--threads", "1", "--quiet"));
        TestSupport.Run r1 = TestSupport.cli(b.toArray(String[]::new));
        assertEquals(0, r1.code(), r1.err());
        assertEquals(r.out(), r1.out());
        // nothing is replaced without --force, checked before any training
        TestSupport.Run again = TestSupport.cli(a.toArray(String[]::new));
        assertEquals(ExitCode.IO.code, again.code());
        assertTrue(again.err().contains("--force"), again.err());
    }

    @Test
    void tableWithAValidationSetAndPlainProgressLines() {
        TestSupport.Run r = TestSupport.cli("tune-decay", MODEL, "--data", TRAIN, "--val", VAL, "--values", "0,0.001", "--epochs", "1",
                "--penalty", "l1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("validation set"), r.out());
        assertTrue(r.out().contains("* best"), r.out());
        assertTrue(r.out().contains("l1") && r.out().contains("0.001"), r.out());
        assertTrue(r.err().contains("fit 1/2: l1") && r.err().contains("fit 2/2"), r.err()); // stderr is no terminal here
    }

    @Test
    void clearErrors() {
        String[][] usage = {
                {"tune-decay", MODEL, "--data", TRAIN, "--values", "0.1"},                                  // neither --folds nor --val
                {"tune-decay", MODEL, "--data", TRAIN, "--folds", "3"},                                     // no λ
                {"tune-decay", MODEL, "--data", TRAIN, "--folds", "3", "--grid", "log:0:1:3"},
                {"tune-decay", MODEL, "--data", TRAIN, "--folds", "3", "--values", "0.1", "--penalty", "l3"},
                {"tune-decay", MODEL, "--data", TRAIN, "--folds", "3", "--values", "0.1", "--penalty", "decoupled", "--scope", "dense"},
                {"tune-decay", MODEL, "--data", TRAIN, "--folds", "3", "--values", "0.1", "--scope", "nosuchlayer"},
                {"tune-decay", MODEL, "--data", TRAIN, "--folds", "3", "--values", "0.1", "--refit"},   // --refit without -o
        };
        for (String[] args : usage) {
            TestSupport.Run r = TestSupport.cli(args);
            assertEquals(ExitCode.USAGE.code, r.code(), String.join(" ", args) + "\n" + r.err());
        }
    }
}
