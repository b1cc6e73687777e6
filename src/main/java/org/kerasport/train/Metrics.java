package org.kerasport.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.data.NdArray;
import org.kerasport.format.Json;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LossSpec;
import org.kerasport.model.TensorRef;
import org.kerasport.train.data.TrainingData;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The metrics a Keras model was compiled with, computed as Keras computes them during fit and evaluate: per-sample
 * values averaged over every sample of the epoch. {@code "accuracy"} resolves as Keras resolves it (binary when the
 * output has one unit, sparse categorical when the targets are class ids, else categorical). Metrics Kerasport does
 * not compute are listed in {@link #skipped()}.
 */
final class Metrics {
    private record Metric(int output, String logName, String fn) {
    }

    private final List<Metric> metrics;
    private final List<String> skipped;

    private Metrics(List<Metric> metrics, List<String> skipped) {
        this.metrics = metrics;
        this.skipped = skipped;
    }

    List<String> skipped() {
        return skipped;
    }

    boolean isEmpty() {
        return metrics.isEmpty();
    }

    static Metrics of(KerasModel km, TrainingData data) {
        List<Metric> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (km.training() == null || km.training().metrics() == null) return new Metrics(out, skipped);
        List<TensorRef> outputs = km.graph().outputs();
        JsonNode m = km.training().metrics();
        List<List<JsonNode>> perOutput = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) perOutput.add(new ArrayList<>());
        if (m.isObject() && !m.has("class_name")) {
            for (int i = 0; i < outputs.size(); i++) {
                JsonNode v = m.get(outputs.get(i).layer());
                if (v != null) v.forEach(x -> perOutput.get(0).add(x));
            }
        } else if (m.isArray()) {
            boolean nested = m.size() > 0 && m.get(0).isArray();
            for (int i = 0; i < m.size(); i++) {
                if (nested) { if (i < outputs.size()) m.get(i).forEach(perOutput.get(i)::add); }
                else for (List<JsonNode> l : perOutput) l.add(m.get(i));
            }
        }
        for (int o = 0; o < outputs.size(); o++)
            for (JsonNode spec : perOutput.get(o)) {
                String name = spec.isTextual() ? spec.asText() : Json.text(spec.path("config"), "name");
                String fn = spec.isTextual() ? spec.asText() : Json.text(spec.path("config"), "fn");
                if (fn == null) fn = spec.isObject() ? snake(Json.text(spec, "class_name")) : name;
                if (name == null) name = fn;
                String resolved = resolve(fn, km, o, data);
                String log = outputs.size() > 1 ? outputs.get(o).layer() + "_" + name : name;
                if (resolved == null) skipped.add(log);
                else out.add(new Metric(o, log, resolved));
            }
        return new Metrics(out, skipped);
    }

    private static String snake(String cls) {
        return cls == null ? null : org.kerasport.format.LayerCatalog.snakeCase(cls);
    }

    private static String resolve(String fn, KerasModel km, int output, TrainingData data) {
        switch (fn) {
            case "accuracy", "acc" -> {
                NdArray t = data.targets().get(output);
                long units = t.shape()[t.shape().length - 1];
                LossSpec loss = km.training().losses().get(km.graph().outputs().get(output).layer());
                if (loss != null && loss.name().equals("sparse_categorical_crossentropy")) return "sparse_categorical_accuracy";
                if (loss != null && loss.name().equals("binary_crossentropy")) return "binary_accuracy";
                return units == 1 ? "binary_accuracy" : "categorical_accuracy";
            }
            case "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy" -> {
                return fn;
            }
            case "mae", "mean_absolute_error" -> {
                return "mean_absolute_error";
            }
            case "mse", "mean_squared_error" -> {
                return "mean_squared_error";
            }
            default -> {
                return null;
            }
        }
    }

    Accumulator accumulator() {
        return new Accumulator();
    }

    /** Running, sample-weighted means of the loss and every metric over an epoch (or an evaluation). */
    final class Accumulator {
        private double lossSum;
        private long samples;
        private final double[] sums = new double[metrics.size()];

        void add(double batchLoss, int n, List<INDArray> outputs, List<NdArray> targets) {
            lossSum += batchLoss * n;
            samples += n;
            for (int i = 0; i < metrics.size(); i++) {
                Metric m = metrics.get(i);
                INDArray y = outputs.get(m.output());
                if (y == null) continue;
                sums[i] += perSampleSum(m.fn(), y, targets.get(m.output()));
            }
        }

        Map<String, Double> means(String prefix) {
            Map<String, Double> out = new LinkedHashMap<>();
            if (samples == 0) return out;
            out.put(prefix + "loss", lossSum / samples);
            for (int i = 0; i < metrics.size(); i++) out.put(prefix + metrics.get(i).logName(), sums[i] / samples);
            return out;
        }
    }

    /**
     * The sum over the batch of a metric's per-sample values (each the mean over a sample's values, as Keras over
     * the last axis), in Java on the batch's values: a handful of ND4J operations per metric and step cost more than
     * the arithmetic on these small arrays (11 % of a training step on the seed model).
     */
    static double perSampleSum(String fn, INDArray pred, NdArray target) {
        int n = (int) pred.size(0);
        float[] p = org.kerasport.dl4j.NdArrays.floats(pred), t = target.data();
        int k = p.length / n;
        if (t.length != (fn.equals("sparse_categorical_accuracy") ? n : p.length))
            throw new IllegalStateException(fn + ": " + t.length + " targets for predictions " + java.util.Arrays.toString(pred.shape()));
        double sum = 0;
        for (int r = 0; r < n; r++) {
            int o = r * k;
            switch (fn) {
                case "binary_accuracy" -> {
                    int hits = 0;
                    for (int j = 0; j < k; j++) if ((p[o + j] > 0.5f ? 1f : 0f) == t[o + j]) hits++;
                    sum += (double) hits / k;
                }
                case "categorical_accuracy" -> sum += argMax(p, o, k) == argMax(t, o, k) ? 1 : 0;
                case "sparse_categorical_accuracy" -> sum += argMax(p, o, k) == t[r] ? 1 : 0;
                case "mean_absolute_error" -> {
                    double s = 0;
                    for (int j = 0; j < k; j++) s += Math.abs(p[o + j] - t[o + j]);
                    sum += s / k;
                }
                case "mean_squared_error" -> {
                    double s = 0;
                    for (int j = 0; j < k; j++) {
                        double d = p[o + j] - t[o + j];
                        s += d * d;
                    }
                    sum += s / k;
                }
                default -> throw new IllegalStateException(fn);
            }
        }
        return sum;
    }

    /** The index of the first maximum among a[o .. o + k). */
    private static int argMax(float[] a, int o, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (a[o + j] > a[o + best]) best = j;
        return best;
    }

}
