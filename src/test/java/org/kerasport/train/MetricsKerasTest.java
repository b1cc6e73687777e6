package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.Json;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training metrics Kerasport reports for a batch equal real Keras' metric functions on the same predictions and
 * targets (src/test/python/keras_metrics.py), ties and thresholds included: binary accuracy with predictions at
 * exactly 0.5, arg-max accuracies with tied maxima, mean absolute and squared error, on 2-D and 3-D outputs.
 */
@Tag("interop")
class MetricsKerasTest {
    @TempDir
    Path tmp;

    @Test
    void batchMetricsEqualKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        Random r = new Random(5);
        int n = 37, k = 4;
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        Map<String, float[][]> pairs = new LinkedHashMap<>();
        // binary: [n, 3] probabilities, some exactly 0.5 (Keras: 0.5 is not > 0.5)
        float[] bp = new float[n * 3], bt = new float[n * 3];
        for (int i = 0; i < bp.length; i++) {
            bp[i] = i % 7 == 0 ? 0.5f : r.nextFloat();
            bt[i] = r.nextBoolean() ? 1 : 0;
        }
        put(arrays, pairs, "binary_accuracy", new long[]{n, 3}, bp, new long[]{n, 3}, bt);
        // categorical: one-hot targets, predictions with ties between classes in some rows
        float[] cp = new float[n * k], ct = new float[n * k], sp = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) cp[i * k + j] = i % 5 == 0 ? 0.25f : r.nextFloat();
            int c = r.nextInt(k);
            ct[i * k + c] = 1;
            sp[i] = c;
        }
        put(arrays, pairs, "categorical_accuracy", new long[]{n, k}, cp, new long[]{n, k}, ct);
        put(arrays, pairs, "sparse_categorical_accuracy", new long[]{n, k}, cp, new long[]{n}, sp);
        // regression on a sequence output [n, 2, 3]: the mean over the last axis, then over time, as per-sample values
        float[] rp = new float[n * 6], rt = new float[n * 6];
        for (int i = 0; i < rp.length; i++) {
            rp[i] = (float) r.nextGaussian();
            rt[i] = (float) r.nextGaussian();
        }
        put(arrays, pairs, "mean_absolute_error", new long[]{n, 2, 3}, rp, new long[]{n, 2, 3}, rt);
        put(arrays, pairs, "mean_squared_error", new long[]{n, 2, 3}, rp, new long[]{n, 2, 3}, rt);

        Path in = tmp.resolve("metrics.npz"), out = tmp.resolve("metrics.json");
        try (OutputStream os = Files.newOutputStream(in)) {
            Npy.writeNpz(os, arrays);
        }
        TestSupport.runPython(tmp, 600, Path.of("src/test/python/keras_metrics.py").toAbsolutePath().toString(), in.toString(), out.toString());
        JsonNode keras = Json.MAPPER.readTree(Files.readString(out));
        for (String fn : pairs.keySet()) {
            NdArray pred = arrays.get(fn + "__pred"), target = arrays.get(fn + "__true");
            // Kerasport's per-sample sum over the batch, as a mean over the samples: what the epoch's log reports
            double mine = Metrics.perSampleSum(fn, Nd4j.create(pred.data(), pred.shape(), 'c'), target) / n;
            // a mean of non-negative per-element values (errors, 0/1 hits) over pred.length elements in float32 by
            // Keras: Σ|terms| is the sum itself, so the bound scales with the mean
            assertEquals(keras.get(fn).asDouble(), mine, org.kerasport.Tolerances.between(pred.data().length, Math.abs(keras.get(fn).asDouble())), fn);
        }
    }

    private static void put(Map<String, NdArray> arrays, Map<String, float[][]> pairs, String fn, long[] ps, float[] p, long[] ts, float[] t) {
        arrays.put(fn + "__pred", new NdArray(ps, p, "float32"));
        arrays.put(fn + "__true", new NdArray(ts, t, "float32"));
        pairs.put(fn, new float[][]{p, t});
    }
}
