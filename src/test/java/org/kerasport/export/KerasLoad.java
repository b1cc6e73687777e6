package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.Json;

/** Real Keras loads one exported .keras file and predicts on given inputs (src/test/python/keras_load_exports.py). */
final class KerasLoad {
    private KerasLoad() {
    }

    /** Keras' result, its first output, and every output in the model's order. */
    record Loaded(JsonNode result, float[] y, List<float[]> ys) {
    }

    /** Loads {@code model} (compiled when asked), predicts on {@code x}; fails the test when Keras cannot load it. */
    static Loaded predict(Path dir, Path model, NdArray x, boolean compile) throws Exception {
        return predict(dir, model, Map.of("x", x), compile);
    }

    /** As {@link #predict(Path, Path, NdArray, boolean)}, the inputs named {@code x} or {@code x__<input name>}. */
    static Loaded predict(Path dir, Path model, Map<String, NdArray> inputs, boolean compile) throws Exception {
        String id = model.getFileName().toString().replaceAll("[^A-Za-z0-9]", "_");
        Path xs = dir.resolve(id + ".x.npz"), y = dir.resolve(id + ".y.npz"), jobs = dir.resolve(id + ".jobs.json"),
                results = dir.resolve(id + ".results.json");
        try (OutputStream os = Files.newOutputStream(xs)) {
            Npy.writeNpz(os, inputs);
        }
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", id);
        job.put("path", model.toString());
        job.put("form", "keras");
        job.put("x", xs.toString());
        job.put("out", y.toString());
        job.put("compile", compile);
        Files.writeString(jobs, Json.MAPPER.writeValueAsString(List.of(job)));
        TestSupport.runPython(Path.of("."), 600, "src/test/python/keras_load_exports.py", jobs.toString(), results.toString());
        JsonNode res = Json.MAPPER.readTree(Files.readString(results)).get(id);
        assertTrue(res.get("ok").asBoolean(), res.toString());
        Map<String, NdArray> out = Npy.readNpz(y);
        List<float[]> ys = new java.util.ArrayList<>();
        for (int i = 0; out.containsKey("y__" + i); i++) ys.add(out.get("y__" + i).data());
        return new Loaded(res, ys.get(0), ys);
    }
}
