package org.kerasport.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.cli.ExitCode;
import org.kerasport.TestSupport;
import org.kerasport.UserInputException;

@Tag("corpus")
class HistoryTest {
    @TempDir
    Path dir;

    static Map<String, Double> logs(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        return m;
    }

    @Test
    void keepsKerasOrderAndPadsMissingValuesWithNaN() {
        History h = new History();
        h.add(0, logs("loss", 0.5, "accuracy", 0.6));
        h.add(1, logs("loss", 0.4, "accuracy", 0.7, "val_loss", 0.45));
        h.add(2, logs("loss", 0.3, "val_loss", 0.35));
        assertEquals(List.of("loss", "accuracy", "val_loss"), h.keys());
        assertEquals(List.of(0, 1, 2), h.epochs());
        assertTrue(Double.isNaN(h.get("val_loss").get(0)));
        assertTrue(Double.isNaN(h.get("accuracy").get(2)));
        assertEquals(0.35, h.get("val_loss").get(2));
        assertEquals(List.of(), h.get("nope"));
        assertThrows(IllegalArgumentException.class, () -> h.add(2, logs("loss", 1)));
    }

    @Test
    void bestEpochMinimizesLossesAndMaximizesAccuracy() {
        History h = new History();
        h.add(0, logs("loss", 0.5, "accuracy", 0.6, "val_loss", 0.5, "val_accuracy", 0.9, "val_mae", 0.3));
        h.add(1, logs("loss", 0.4, "accuracy", 0.7, "val_loss", 0.3, "val_accuracy", 0.9, "val_mae", Double.NaN));
        h.add(2, logs("loss", 0.3, "accuracy", 0.8, "val_loss", 0.3, "val_accuracy", 0.8, "val_mae", 0.2));
        assertEquals(OptionalInt.of(1), h.bestEpoch("val_loss")); // ties: the first, as Keras' strict improvement
        assertEquals(OptionalInt.of(0), h.bestEpoch("val_accuracy"));
        assertEquals(OptionalInt.of(2), h.bestEpoch("val_mae"));
        assertEquals(OptionalInt.empty(), h.bestEpoch("val_precision"));
        assertEquals(OptionalInt.of(2), h.bestEpoch("loss", false));
        assertFalse(History.higherIsBetter("dense_1_loss"));
        assertFalse(History.higherIsBetter("val_mean_absolute_error"));
        assertFalse(History.higherIsBetter("sparse_categorical_crossentropy"));
        assertTrue(History.higherIsBetter("val_sparse_categorical_accuracy"));
        assertTrue(History.higherIsBetter("out_acc"));
        assertTrue(History.higherIsBetter("auc"));
        assertThrows(IllegalArgumentException.class, () -> History.higherIsBetter("lr"));
    }

    /** Reading Keras' history.json and writing it back gives Keras' text (without the reference's fit_arguments). */
    @Test
    void roundTripsTheKerasHistoryByteForByte() throws Exception {
        Path keras = TestSupport.reference().resolve("seed_example/history.json");
        String text = Files.readString(keras);
        History h = History.readJson(keras);
        assertEquals(List.of("accuracy", "loss", "val_accuracy", "val_loss"), h.keys());
        assertEquals(10, h.size());
        assertEquals(0.08798510581254959, h.get("val_loss").get(9));
        assertEquals(Map.of("verbose", 0, "epochs", 10, "steps", 32), h.params());
        assertEquals(OptionalInt.of(9), h.bestEpoch("val_loss"));
        Path out = dir.resolve("history.json");
        h.writeJson(out, false);
        String expected = text.substring(0, text.indexOf(",\n \"fit_arguments\"")) + "\n}\n";
        assertEquals(expected, Files.readString(out));
        History again = History.readJson(out);
        assertEquals(h.keys(), again.keys());
        assertEquals(h.get("accuracy"), again.get("accuracy"));
    }

    @Test
    void readsABareHistoryDictAndNonFiniteValues() throws Exception {
        Path f = dir.resolve("h.json");
        Files.writeString(f, "{\"loss\": [1.5, NaN, null], \"val_loss\": [2, Infinity, \"NaN\"]}");
        History h = History.readJson(f);
        assertEquals(List.of(0, 1, 2), h.epochs());
        assertTrue(Double.isNaN(h.get("loss").get(1)) && Double.isNaN(h.get("loss").get(2)));
        assertEquals(Double.POSITIVE_INFINITY, h.get("val_loss").get(1));
        Path out = dir.resolve("out.json");
        h.writeJson(out, false);
        assertTrue(Files.readString(out).contains("  NaN,\n   NaN\n"), Files.readString(out));
        assertTrue(Files.readString(out).contains("  Infinity,"));
    }

    @Test
    void rejectsWhatIsNotAHistory() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"history\": {\"loss\": [1, 2], \"val_loss\": [1]}}");
        UserInputException e = assertThrows(UserInputException.class, () -> History.readJson(f));
        assertEquals(ExitCode.BAD_DATA, ExitCode.of(e));
        assertTrue(e.getMessage().contains("val_loss") && e.getMessage().contains(f.toString()), e.getMessage());
        Files.writeString(f, "{\"history\": {\"loss\": [1, \"x\"]}}");
        assertThrows(UserInputException.class, () -> History.readJson(f));
        Files.writeString(f, "[1, 2");
        assertEquals(ExitCode.BAD_DATA, ExitCode.of(assertThrows(UserInputException.class, () -> History.readJson(f))));
        assertEquals(ExitCode.IO, ExitCode.of(assertThrows(UserInputException.class, () -> History.readJson(dir.resolve("none.json")))));
    }

    /** The exact bytes Keras 3.15's CSVLogger writes for these logs (sorted keys, NA val_ columns, repr floats, CRLF). */
    @Test
    void csvIsWhatCsvLoggerWrites() throws Exception {
        History h = new History();
        h.add(0, logs("loss", 0.5, "accuracy", 1e-5, "mae", Double.NaN));
        h.add(1, logs("loss", 0.25, "accuracy", 0.0001, "mae", 1e16));
        Path out = dir.resolve("log.csv");
        h.writeCsv(out, false);
        assertEquals("epoch,accuracy,loss,mae,val_accuracy,val_loss,val_mae\r\n0,1e-05,0.5,nan,NA,NA,NA\r\n"
                + "1,0.0001,0.25,1e+16,NA,NA,NA\r\n", Files.readString(out, StandardCharsets.UTF_8));

        History v = History.readJson(TestSupport.reference().resolve("seed_example/history.json"));
        Path out2 = dir.resolve("seed.csv");
        v.writeCsv(out2, false);
        List<String> lines = Files.readAllLines(out2);
        assertEquals("epoch,accuracy,loss,val_accuracy,val_loss", lines.get(0));
        assertEquals("2,0.8360000252723694,0.11843663454055786,0.875,0.10117584466934204", lines.get(3));
    }

    @Test
    void neverOverwritesWithoutForce() throws Exception {
        History h = new History();
        h.add(0, logs("loss", 1));
        Path out = dir.resolve("h.csv");
        Files.writeString(out, "keep");
        assertEquals(ExitCode.IO, ExitCode.of(assertThrows(UserInputException.class, () -> h.writeCsv(out, false))));
        assertEquals("keep", Files.readString(out));
        h.writeCsv(out, true);
        assertTrue(Files.readString(out).startsWith("epoch,loss"));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count()); // no temp files left
        }
    }

    @Test
    void pythonFloatRepr() {
        assertEquals("0.0001", PyFormat.repr(1e-4));
        assertEquals("1e-05", PyFormat.repr(1e-5));
        assertEquals("1.5e-05", PyFormat.repr(1.5e-5));
        assertEquals("1.0", PyFormat.repr(1));
        assertEquals("-2.5", PyFormat.repr(-2.5));
        assertEquals("1e+16", PyFormat.repr(1e16));
        assertEquals("1234567890123456.0", PyFormat.repr(1234567890123456.0));
        assertEquals("0.7080000042915344", PyFormat.repr((double) 0.708f));
        assertEquals("-0.0", PyFormat.repr(-0.0));
        assertEquals("inf", PyFormat.repr(Double.POSITIVE_INFINITY));
        assertEquals("0.1023", PyFormat.metric(0.10234));
        assertEquals("1.2346e-04", PyFormat.metric(1.23456e-4));
    }
}
