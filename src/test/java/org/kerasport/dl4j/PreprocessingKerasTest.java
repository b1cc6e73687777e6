package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.cli.ExitCode;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CategoryEncoding, Discretization, IntegerLookup, Hashing, StringLookup and TextVectorization against real Keras
 * (src/test/python/preprocessing_cases.py: several configurations of each, on raw ids, values and strings with OOV
 * and mask tokens, unicode and empty strings). Each model runs through {@code kerasport predict} on the raw input
 * file Keras was given (strings as a numpy unicode {@code .npy}, and for four cases as a CSV column Python's csv
 * module wrote), from the {@code .keras} file, from the {@code .h5}
 * when Keras writes one it reloads, and from the zip {@code kerasport convert} makes of it.
 *
 * <p>Tolerances: the layers compute integers (indices, bins, counts, 0/1) by integer logic in both frameworks; every
 * such value here is below 2^24, so exact in float32: they must be equal. The two pipelines (a preprocessing layer
 * feeding Embedding/pooling/Dense) compare within {@link KerasMatch}'s float32 bound for the graph's reduction
 * length (their integer prefix is exact, the rest is float32 arithmetic).
 */
@Tag("interop")
class PreprocessingKerasTest {
    static Path out;
    @TempDir
    static Path work;
    static final List<Path> cases = new ArrayList<>();
    static final List<Path> refused = new ArrayList<>();

    @BeforeAll
    static void generate() throws IOException {
        out = TestSupport.fixture("preprocessing_cases.py", 600);
        try (Stream<Path> s = Files.list(out)) {
            s.filter(p -> Files.exists(p.resolve("case.json"))).sorted()
                    .forEach(p -> (p.getFileName().toString().startsWith("refused_") ? refused : cases).add(p));
        }
    }

    static JsonNode caseJson(Path dir) throws IOException {
        return Json.MAPPER.readTree(Files.readString(dir.resolve("case.json")));
    }

    /** Runs {@code kerasport predict} and returns its one output. */
    static INDArray predict(Path model, Path x, String tag) {
        Path y = work.resolve(model.getParent().getFileName() + "." + tag + ".y.npz");
        TestSupport.Run r = TestSupport.cli("predict", model.toString(), "--input", x.toString(), "-o", y.toString(), "--force");
        assertEquals(0, r.code(), r.err());
        Map<String, NdArray> got = Npy.readNpz(y);
        assertEquals(1, got.size(), got.toString());
        NdArray a = got.values().iterator().next();
        return NdArrays.of(a.data(), a.shape());
    }

    @TestFactory
    Stream<DynamicTest> predictsFromRawInputAsKeras() {
        assertTrue(cases.size() >= 40, cases.toString());
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            JsonNode c = caseJson(dir);
            NdArray yw = Npy.read(dir.resolve("y.npy"));
            INDArray want = NdArrays.of(yw.data(), yw.shape());
            Path x = dir.resolve("x.npy");
            boolean pipeline = dir.getFileName().toString().startsWith("pipe_");
            long n = pipeline ? KerasMatch.reductionLength(dir.resolve("model.keras")) : 0;
            Path zip = work.resolve(dir.getFileName() + ".zip");
            TestSupport.Run conv = TestSupport.cli("convert", dir.resolve("model.keras").toString(), "-o", zip.toString(), "--force");
            assertEquals(0, conv.code(), conv.err());
            List<Path> models = new ArrayList<>(List.of(dir.resolve("model.keras"), zip));
            if (c.path("h5").asBoolean()) models.add(dir.resolve("model.h5"));
            List<Path> inputs = new ArrayList<>(List.of(x));
            if (Files.exists(dir.resolve("x.csv"))) inputs.add(dir.resolve("x.csv")); // the same strings as a CSV column
            for (Path m : models) for (Path in : inputs) {
                INDArray got = predict(m, in, m.getFileName() + "." + in.getFileName());
                String what = dir.getFileName() + " " + m.getFileName() + " " + in.getFileName() + " " + c.path("config");
                if (pipeline) KerasMatch.assertOutput(n, want, got, 0, what);
                else {
                    assertArrayEquals(want.shape(), got.shape(), what + " shape");
                    assertEquals(want, got, what); // integers below 2^24: exact (see the class comment)
                }
            }
        }));
    }

    /**
     * Exported as .keras and .h5 (an adapted vocabulary goes into the layer's config, where Keras' set_vocabulary
     * takes it as it takes the assets file): real Keras loads both and computes what it computed on the original.
     */
    @Test
    void exportsLoadInKerasAndComputeTheSame() throws Exception {
        com.fasterxml.jackson.databind.node.ArrayNode jobs = Json.MAPPER.createArrayNode();
        for (Path dir : cases)
            for (String form : List.of("keras", "h5")) {
                String id = dir.getFileName() + "." + form;
                Path file = work.resolve(id);
                TestSupport.Run r = TestSupport.cli("export", dir.resolve("model.keras").toString(), "-o", file.toString(), "--force");
                assertEquals(0, r.code(), id + ": " + r.err());
                var j = jobs.addObject();
                j.put("id", id);
                j.put("path", file.toString());
                j.put("form", form);
                j.put("x", dir.resolve("x.npy").toString());
                j.put("out", work.resolve(id + ".y.npz").toString());
            }
        Path jobsFile = work.resolve("export-jobs.json"), results = work.resolve("export-results.json");
        Files.writeString(jobsFile, Json.MAPPER.writeValueAsString(jobs));
        TestSupport.runPython(Path.of("."), 900, "src/test/python/keras_load_exports.py", jobsFile.toString(), results.toString());
        JsonNode res = Json.MAPPER.readTree(Files.readString(results));
        List<String> problems = new ArrayList<>();
        for (JsonNode j : jobs) {
            String id = j.get("id").asText();
            if (!res.path(id).path("ok").asBoolean()) {
                problems.add(id + ": " + res.path(id).path("error").asText());
                continue;
            }
            Path dir = out.resolve(id.substring(0, id.lastIndexOf('.')));
            NdArray w = Npy.read(dir.resolve("y.npy")), g = Npy.readNpz(Path.of(j.get("out").asText())).get("y__0");
            // Keras on the same weights, the same inputs: the same computation (the pipelines too)
            if (!java.util.Arrays.equals(w.shape(), g.shape()) || !java.util.Arrays.equals(w.data(), g.data()))
                problems.add(id + ": Keras computes differently from the exported file");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** The CSV cases exist (the generator's list), so the CSV path above is exercised. */
    @Test
    void someCasesReadTheirStringsFromCsv() {
        assertEquals(4, cases.stream().filter(d -> Files.exists(d.resolve("x.csv"))).count());
    }

    /** Every class has several configurations, and the cases include string inputs with unicode and empty strings. */
    @Test
    void everyClassHasSeveralConfigurations() throws IOException {
        Map<String, Integer> per = new LinkedHashMap<>();
        for (Path d : cases) per.merge(caseJson(d).get("class").asText(), 1, Integer::sum);
        for (String c : List.of("CategoryEncoding", "Discretization", "IntegerLookup", "Hashing", "StringLookup", "TextVectorization"))
            assertTrue(per.getOrDefault(c, 0) >= 5, c + ": " + per);
    }

    /** Forms Kerasport does not compute are refused naming the layer, its class and the field. */
    @TestFactory
    Stream<DynamicTest> unsupportedFormsAreRefusedByName() {
        assertTrue(refused.size() >= 5, refused.toString());
        return refused.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            JsonNode c = caseJson(dir);
            var km = KerasReader.read(dir.resolve(c.get("file").asText()));
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> Dl4jImporter.importModel(km, false));
            String want = "layer 'layer' (" + c.get("refused_class").asText() + "), " + c.get("refused_field").asText() + ":";
            assertTrue(e.getMessage().contains(want), e.getMessage());
        }));
    }

    /** A numpy object array holds pickled objects: predict refuses it (exit 5) and says how to save strings instead. */
    @Test
    void objectArraysAreRefusedWithWhatToDo() {
        Path dir = out.resolve("strlookup_0");
        TestSupport.Run r = TestSupport.cli("predict", dir.resolve("model.keras").toString(), "--input",
                dir.resolve("x_object.npy").toString(), "-o", work.resolve("obj.npz").toString(), "--force");
        assertEquals(ExitCode.BAD_DATA.code, r.code(), r.err());
        assertTrue(r.err().contains("object array") && r.err().contains("dtype=str"), r.err());
    }

    /** Fine-tuning a model with a string input is refused (exit 4) naming the input, not failed on the data. */
    @Test
    void fineTuningAStringModelIsRefusedByName() throws IOException {
        Path dir = out.resolve("pipe_text");
        Path data = work.resolve("text-train.npz");
        NdArray y = Npy.read(dir.resolve("y.npy"));
        try (var os = Files.newOutputStream(data)) {
            Npy.writeNpz(os, Map.of("y", y));
        }
        TestSupport.Run r = TestSupport.cli("finetune", dir.resolve("model.keras").toString(), "--data", data.toString(),
                "-o", work.resolve("tuned.keras").toString(), "--force");
        assertEquals(ExitCode.UNSUPPORTED.code, r.code(), r.err());
        assertTrue(r.err().contains("'text'") && r.err().contains("string input"), r.err());
    }

    /** Numbers given to a string input are refused (exit 5) naming the dtype. */
    @Test
    void numbersForAStringInputAreRefused() {
        Path dir = out.resolve("strlookup_0");
        TestSupport.Run r = TestSupport.cli("predict", dir.resolve("model.keras").toString(), "--input",
                out.resolve("hash_0").resolve("x.npy").toString(), "-o", work.resolve("num.npz").toString(), "--force");
        assertEquals(ExitCode.BAD_DATA.code, r.code(), r.err());
        assertTrue(r.err().contains("not a string dtype"), r.err());
    }
}
