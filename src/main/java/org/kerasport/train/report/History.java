package org.kerasport.train.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.kerasport.UserInputException;
import org.kerasport.util.AtomicFiles;
import org.kerasport.FileAccessException;
import org.kerasport.BadDataException;

/**
 * A training run's per-epoch results in the form of Keras' {@code History} callback: values keyed by Keras' names
 * ({@code loss}, {@code val_loss}, {@code accuracy}, {@code mae}, ...) in the order they first appeared, the epoch
 * indices ({@code history.epoch}, 0-based as in Keras) and the fit parameters ({@code history.params}).
 *
 * <p>Every key has one value per epoch: a key missing from an epoch's logs (or first seen in a later epoch) holds NaN
 * there, where Keras would silently leave a shorter list.
 */
public final class History {
    private static final ObjectMapper READER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final List<Integer> epochs = new ArrayList<>();
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final Map<String, Object> params = new LinkedHashMap<>();

    /** Records the logs of one epoch; {@code epoch} is Keras' 0-based index and must exceed the last one recorded. */
    public void add(int epoch, Map<String, Double> logs) {
        if (epoch < 0) throw new IllegalArgumentException("epoch index " + epoch + " < 0");
        if (!epochs.isEmpty() && epoch <= epochs.get(epochs.size() - 1))
            throw new IllegalArgumentException("epoch index " + epoch + " after epoch " + epochs.get(epochs.size() - 1));
        for (String k : logs.keySet())
            values.computeIfAbsent(k, key -> new ArrayList<>(Collections.nCopies(epochs.size(), Double.NaN)));
        epochs.add(epoch);
        for (Map.Entry<String, List<Double>> e : values.entrySet()) {
            Double v = logs.get(e.getKey());
            e.getValue().add(v == null ? Double.NaN : v);
        }
    }

    /** Keras' {@code history.epoch}: the 0-based epoch indices recorded, in order. */
    public List<Integer> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** The keys in the order they first appeared (Keras' {@code history.history} order). */
    public List<String> keys() {
        return List.copyOf(values.keySet());
    }

    /** The values of {@code key}, one per epoch (NaN where an epoch did not log it), or an empty list for an unknown key. */
    public List<Double> get(String key) {
        List<Double> v = values.get(key);
        return v == null ? List.of() : Collections.unmodifiableList(v);
    }

    /** Number of epochs recorded. */
    public int size() {
        return epochs.size();
    }

    /** Keras' {@code history.params} ({@code verbose}, {@code epochs}, {@code steps}, ...): modifiable, insertion-ordered. */
    public Map<String, Object> params() {
        return params;
    }

    /**
     * The epoch index (0-based, as in {@link #epochs()}) with the best value of {@code key}: the lowest for losses and
     * errors, the highest for accuracy-like metrics (see {@link #higherIsBetter}); the first one on ties, NaN and infinities skipped.
     * Empty when the key is unknown or has no finite value.
     *
     * @throws IllegalArgumentException when the direction of {@code key} cannot be told from its name
     */
    public OptionalInt bestEpoch(String key) {
        return bestEpoch(key, higherIsBetter(key));
    }

    /** {@link #bestEpoch(String)} with the direction given. */
    public OptionalInt bestEpoch(String key, boolean higherIsBetter) {
        List<Double> v = values.get(key);
        if (v == null) return OptionalInt.empty();
        int best = -1;
        for (int i = 0; i < v.size(); i++) {
            double x = v.get(i);
            if (!Double.isFinite(x)) continue;
            if (best < 0 || (higherIsBetter ? x > v.get(best) : x < v.get(best))) best = i;
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(epochs.get(best));
    }

    /**
     * Whether a larger value of a Keras log key is better, as Keras' {@code mode="auto"} decides it: losses and error
     * metrics (mae, mse, crossentropy, hinge, ...) go down, accuracy-like metrics (accuracy, auc, precision, recall, iou,
     * f1, r2) go up. A {@code val_} prefix and an output-name prefix ({@code dense_1_accuracy}) are allowed.
     *
     * @throws IllegalArgumentException for a name that does not say (pass the direction to {@link #bestEpoch(String, boolean)})
     */
    public static boolean higherIsBetter(String key) {
        String k = key.startsWith("val_") ? key.substring(4) : key;
        if (matches(k, "loss", "error", "crossentropy", "hinge", "divergence", "poisson", "logcosh", "mae", "mse", "mape",
                "msle", "rmse")) return false;
        if (matches(k, "accuracy", "acc", "auc", "precision", "recall", "iou", "f1_score", "fbeta_score", "r2_score",
                "cosine_similarity")) return true;
        throw new IllegalArgumentException("cannot tell whether '" + key + "' should be minimized or maximized");
    }

    /** {@code k} is one of {@code tokens}, ends with {@code _token} (an output prefix), or contains a token of 5+ letters. */
    private static boolean matches(String k, String... tokens) {
        for (String t : tokens)
            if (k.equals(t) || k.endsWith("_" + t) || t.length() >= 5 && k.contains(t)) return true;
        return false;
    }

    /**
     * Writes the history as Keras users know it, {@code {"history": {...}, "params": {...}, "epoch": [...]}}, formatted
     * as Python's {@code json.dump(indent=1)} (non-finite values as NaN/Infinity, as Python writes them).
     */
    public void writeJson(Path target, boolean force) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("history", values);
        root.put("params", params);
        root.put("epoch", epochs);
        AtomicFiles.writeBytes(target, force, (PyFormat.json(root) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes one row per epoch as Keras' {@code CSVLogger} does: {@code epoch} (0-based) then the keys sorted; when no key
     * is a {@code val_} key, a {@code val_} column per key is added holding {@code NA}, as CSVLogger does. Values in
     * Python's {@code repr} form.
     */
    public void writeCsv(Path target, boolean force) {
        List<String> keys = new ArrayList<>(values.keySet());
        Collections.sort(keys);
        boolean hasVal = keys.stream().anyMatch(k -> k.startsWith("val_"));
        List<String> columns = new ArrayList<>(keys);
        if (!hasVal && !keys.isEmpty()) for (String k : keys) columns.add("val_" + k);
        StringBuilder sb = new StringBuilder("epoch");
        for (String c : columns) sb.append(',').append(PyFormat.csvField(c));
        sb.append("\r\n");
        for (int i = 0; i < epochs.size(); i++) {
            sb.append(epochs.get(i));
            for (String c : columns) {
                List<Double> v = values.get(c);
                sb.append(',').append(v == null ? "NA" : PyFormat.repr(v.get(i)));
            }
            sb.append("\r\n");
        }
        AtomicFiles.writeBytes(target, force, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a history written by {@link #writeJson} or by Python ({@code {"history": ..., "epoch": ..., "params": ...}}),
     * or a bare {@code history.history} dict ({@code {"loss": [...], ...}}, epochs then counted from 0). Null values read
     * as NaN. Errors name the file and the key (exit code 6 when unreadable, 5 when not a history).
     */
    public static History readJson(Path file) {
        JsonNode root;
        try {
            root = READER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(file, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw bad(file, "not a JSON object");
        JsonNode hist = root.has("history") ? root.get("history") : root;
        if (!hist.isObject()) throw bad(file, "\"history\" is not an object");
        Map<String, List<Double>> cols = new LinkedHashMap<>();
        int n = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = hist.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isArray()) throw bad(file, "history key '" + e.getKey() + "' is not a list");
            List<Double> col = new ArrayList<>();
            for (JsonNode x : e.getValue()) col.add(number(file, e.getKey(), x));
            if (n >= 0 && col.size() != n)
                throw bad(file, "history key '" + e.getKey() + "' has " + col.size() + " values, other keys " + n);
            n = col.size();
            cols.put(e.getKey(), col);
        }
        if (n < 0) n = 0;
        List<Integer> epochs = new ArrayList<>();
        JsonNode ep = root.has("history") ? root.get("epoch") : null;
        if (ep == null || ep.isNull()) {
            for (int i = 0; i < n; i++) epochs.add(i);
        } else {
            if (!ep.isArray() || ep.size() != n) throw bad(file, "\"epoch\" is not a list of " + n + " epoch indices");
            for (JsonNode x : ep) {
                if (!x.canConvertToInt() || !x.isIntegralNumber()) throw bad(file, "\"epoch\" holds " + x + ", not an epoch index");
                epochs.add(x.intValue());
            }
        }
        History h = new History();
        for (int i = 0; i < n; i++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            for (Map.Entry<String, List<Double>> e : cols.entrySet()) logs.put(e.getKey(), e.getValue().get(i));
            try {
                h.add(epochs.get(i), logs);
            } catch (IllegalArgumentException e) {
                throw bad(file, "\"epoch\": " + e.getMessage());
            }
        }
        for (String k : cols.keySet()) h.values.putIfAbsent(k, new ArrayList<>());
        JsonNode params = root.has("history") ? root.get("params") : null;
        if (params != null && params.isObject())
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                h.params.put(e.getKey(), READER.convertValue(e.getValue(), Object.class));
            }
        return h;
    }

    private static double number(Path file, String key, JsonNode x) {
        if (x.isNull()) return Double.NaN;
        if (x.isNumber()) return x.doubleValue();
        if (x.isTextual()) {
            switch (x.asText()) {
                case "NaN", "nan" -> {
                    return Double.NaN;
                }
                case "Infinity", "inf" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Infinity", "-inf" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                }
            }
        }
        throw bad(file, "history key '" + key + "' holds " + x + ", not a number");
    }

    private static UserInputException bad(Path file, String what) {
        return new BadDataException(file + ": not a Keras training history: " + what);
    }
}
