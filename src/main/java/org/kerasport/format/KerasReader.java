package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.kerasport.Limit;
import org.kerasport.MalformedModelException;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UnsupportedItem;
import org.kerasport.format.hdf5.Hdf5Dataset;
import org.kerasport.format.hdf5.Hdf5File;
import org.kerasport.format.hdf5.Hdf5Group;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.SourceInfo;
import org.kerasport.model.TrainingSpec;
import org.kerasport.model.WeightSpec;
import org.kerasport.UsageException;
import org.kerasport.FileAccessException;

/**
 * Reads any Keras model file into a {@link KerasModel}. The container is detected by content, not by extension:
 * legacy HDF5 full models (Keras 1, 2, tf.keras, Keras 3's .h5 writer), Keras 3 {@code .keras} zips, weights-only
 * HDF5 files (legacy or Keras 3 layout) with a JSON architecture, and a JSON architecture alone.
 */
public final class KerasReader {
    public static final String FORMAT_H5 = "keras-h5-full";
    public static final String FORMAT_ZIP = "keras-v3-zip";
    public static final String FORMAT_WEIGHTS_LEGACY = "weights-h5+json-arch";
    public static final String FORMAT_WEIGHTS_V3 = "keras-v3-weights+json-arch";
    public static final String FORMAT_JSON = "keras-json-arch";

    private enum Kind { HDF5, ZIP, JSON }

    private KerasReader() {
    }

    public static KerasModel read(Path file) {
        return read(file, ReadOptions.defaults());
    }

    public static KerasModel read(Path file, ReadOptions opts) {
        Kind kind = sniff(file);
        boolean outermost = PARAMETERS.get() == null;
        if (outermost) PARAMETERS.set(new Budget(file));
        try {
            return switch (kind) {
                case ZIP -> readZip(file, opts);
                case JSON -> readJson(file, opts);
                case HDF5 -> readHdf5(file, opts);
            };
        } finally {
            if (outermost) PARAMETERS.remove();
        }
    }

    /** Weights (elements) read so far by this thread's {@link #read}, against {@link Limit#PARAMETERS}. */
    private static final ThreadLocal<Budget> PARAMETERS = new ThreadLocal<>();

    private static final class Budget {
        final Path file;
        long total;

        Budget(Path file) {
            this.file = file;
        }
    }

    // ------------------------------------------------------------------ detection

    private static Kind sniff(Path file) {
        byte[] head = new byte[2048 + 8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new FileAccessException(file + ": no such file");
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (Files.isDirectory(file)) throw new FileAccessException(file + ": is a directory, not a model file");
        if (n == 0) throw new MalformedModelException(file, null, "empty file");
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return Kind.ZIP;
        for (int off : new int[]{0, 512, 1024, 2048})
            if (n >= off + 8 && (head[off] & 0xff) == 0x89 && head[off + 1] == 'H' && head[off + 2] == 'D' && head[off + 3] == 'F')
                return Kind.HDF5;
        for (int i = 0; i < n; i++) {
            byte b = head[i];
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
            if (b == '{') return Kind.JSON;
            break;
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K')
            throw new MalformedModelException(file, null, "a zip archive that does not start with a local file header: truncated or not a .keras file");
        throw new MalformedModelException(file, null, "not a Keras model file: expected HDF5 (.h5/.hdf5), a .keras zip or a "
                + "JSON architecture; the file starts with " + preview(head, n));
    }

    private static String preview(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, 8); i++) sb.append(String.format("%02x ", b[i] & 0xff));
        return "bytes " + sb.toString().trim();
    }

    // ------------------------------------------------------------------ legacy HDF5

    private static KerasModel readHdf5(Path file, ReadOptions opts) {
        try (Hdf5File h5 = Hdf5File.openRead(file)) {
            Hdf5Group root = h5.root();
            if (root.hasAttribute("model_config")) return readLegacyFull(file, h5, opts);
            boolean legacyWeights = root.hasAttribute("layer_names") || root.hasAttribute("layer_names0")
                    || root.hasGroup("model_weights");
            boolean v3Weights = root.hasGroup("layers") || root.hasGroup("_layer_checkpoint_dependencies");
            if (!legacyWeights && !v3Weights)
                throw new MalformedModelException(file, "/", "an HDF5 file without Keras content: no model_config "
                        + "attribute, no layer_names, no model_weights or layers group");
            if (opts.companion() == null)
                throw new UsageException(file + ": a weights-only file (" + (v3Weights ? "Keras 3" : "legacy")
                        + " layout); give its architecture with --arch MODEL.json (written by model.to_json())");
        }
        return readWeightsWithJson(opts.companion(), file, opts);
    }

    private static KerasModel readLegacyFull(Path file, Hdf5File h5, ReadOptions opts) {
        Hdf5Group root = h5.root();
        String version = root.optStringAttribute("keras_version").orElse(null);
        String backend = root.optStringAttribute("backend").orElse(null);
        if (root.hasGroup("model_weights")) {
            Hdf5Group mw = root.group("model_weights");
            if (version == null) version = mw.optStringAttribute("keras_version").orElse(null);
            if (backend == null) backend = mw.optStringAttribute("backend").orElse(null);
        }
        ConfigReader cr = new ConfigReader(file, version);
        JsonNode modelConfig = Json.parse(root.stringAttribute("model_config"), file, "model_config");
        KerasGraph graph = cr.readModel(modelConfig);
        if (!root.hasGroup("model_weights"))
            throw new MalformedModelException(file, "/model_weights", "missing: the file has a model_config but no weights");
        graph = attachLegacyWeights(file, graph, root.group("model_weights"), cr, version, opts);
        TrainingSpec training = null;
        if (root.hasAttribute("training_config")) {
            JsonNode tc = Json.parse(root.stringAttribute("training_config"), file, "training_config");
            training = new TrainingConfigParser(file).parse(tc, graph.outputs(), "training_config");
        }
        SourceInfo src = new SourceInfo(file.toString(), FORMAT_H5, version, backend, sha256(file), null);
        List<WeightSpec> optVars = opts.withWeights() && root.hasGroup("optimizer_weights")
                ? legacyOptimizerVariables(file, root.group("optimizer_weights")) : List.of();
        return finish(file, graph, training, src, cr, opts, modelConfig, optVars);
    }

    /** Legacy layout: a group with {@code layer_names}, one subgroup per layer with {@code weight_names}. */
    private static KerasGraph attachLegacyWeights(Path file, KerasGraph graph, Hdf5Group g, ConfigReader cr,
                                                  String version, ReadOptions opts) {
        List<String> layerNames = g.stringListAttribute("layer_names");
        boolean keras1 = version == null ? !g.hasAttribute("keras_version") && looksKeras1(graph) : version.startsWith("1");
        WeightLayout layout = cr.weightLayout();
        WeightAssembler asm = new WeightAssembler(file);
        List<LayerSpec> out = new ArrayList<>();
        for (LayerSpec l : graph.layers()) {
            List<WeightLayout.Expected> expected = layout.expected(l);
            if (!layerNames.contains(l.name())) {
                if (expected != null && !expected.isEmpty())
                    throw new MalformedModelException(file, g.path() + "/" + l.name(), "no weights stored for layer '"
                            + l.name() + "' (" + l.className() + "), which has " + expected.size());
                out.add(l);
                continue;
            }
            Hdf5Group lg = namedGroup(file, g, l.name());
            List<String> names = lg.stringListAttribute("weight_names");
            List<WeightAssembler.Stored> stored = new ArrayList<>(names.size());
            for (String wn : names) stored.add(stored(namedDataset(file, lg, wn), wn, opts.withWeights()));
            List<WeightLayout.Expected> ordered = expected == null ? null : WeightLayout.legacyOrder(l, expected);
            List<WeightSpec> ws = asm.assemble(l, ordered, stored, keras1);
            if (ordered != expected) { // back from the file's trainable-first order to Keras' per-layer order
                Map<String, WeightSpec> byName = new HashMap<>();
                ws.forEach(w -> byName.put(w.name(), w));
                ws = expected.stream().map(e -> byName.get(e.name())).toList();
            }
            out.add(l.withWeights(ws));
        }
        return new KerasGraph(graph.className(), graph.name(), out, graph.inputs(), graph.outputs());
    }

    private static boolean looksKeras1(KerasGraph g) {
        for (LayerSpec l : g.layers()) if (Keras1Dialect.looksLikeKeras1(l.className(), l.rawConfig())) return true;
        return false;
    }

    private static WeightAssembler.Stored stored(Hdf5Dataset ds, String fileName, boolean withData) {
        Budget b = PARAMETERS.get();
        if (withData && b != null) { // counted from the declared shapes, before any is read (inspect reads none: not counted)
            long n = ds.elementCount();
            b.total = n > Long.MAX_VALUE - b.total ? Long.MAX_VALUE : b.total + n;
            if (Limit.PARAMETERS.exceededBy(b.total))
                throw new MalformedModelException(b.file, ds.path(), Limit.PARAMETERS.refusal(
                        "the model's weights up to this one", b.total));
        }
        return new WeightAssembler.Stored(fileName, ds.shape(), ds.kerasDtype(), withData ? ds.readKerasFloats() : null, ds.path());
    }

    private static Hdf5Group namedGroup(Path file, Hdf5Group g, String name) {
        try {
            return g.group(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException(file, g.path() + "@layer_names", "'" + name + "' is not a valid group path", e);
        }
    }

    /** A dataset named by the file itself (weight_names): a name that is no valid HDF5 path is a malformed file. */
    private static Hdf5Dataset namedDataset(Path file, Hdf5Group g, String name) {
        try {
            return g.dataset(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException(file, g.path() + "@weight_names", "'" + name + "' is not a valid dataset path", e);
        }
    }

    // ------------------------------------------------------------------ Keras 3 weights layout

    /** Keras 3 layout: {@code layers/<snake_class>[_n]/vars/<i>} (or tf.keras 2.13's {@code _layer_checkpoint_dependencies}). */
    private static KerasGraph attachV3Weights(Path file, KerasGraph graph, Hdf5Group root, ConfigReader cr, ReadOptions opts) {
        String top = root.hasGroup("layers") ? "layers" : "_layer_checkpoint_dependencies";
        if (!root.hasGroup(top)) {
            for (LayerSpec l : graph.layers()) {
                List<WeightLayout.Expected> e = cr.weightLayout().expected(l);
                if (e == null || !e.isEmpty())
                    throw new MalformedModelException(file, "/layers", "missing: the weights file has no layers group");
            }
            return graph;
        }
        Hdf5Group layersGroup = root.group(top);
        WeightLayout layout = cr.weightLayout();
        WeightAssembler asm = new WeightAssembler(file);
        Map<String, Integer> seen = new HashMap<>();
        List<LayerSpec> out = new ArrayList<>();
        for (LayerSpec l : graph.layers()) {
            if (l.isInput() && (graph.isSequential() || l.synthesized())) {
                out.add(l);
                continue;
            }
            String groupName = WeightLayout.v3GroupName(l, seen);
            List<WeightLayout.Expected> expected = layout.expected(l);
            List<WeightAssembler.Stored> stored = new ArrayList<>();
            if (expected != null) {
                for (WeightLayout.Expected e : expected) {
                    String p = groupName + "/" + e.v3Path();
                    String alt = p.replace("/layers/", "/_layer_checkpoint_dependencies/");
                    String path = layersGroup.hasDataset(p) ? p : layersGroup.hasDataset(alt) ? alt : null;
                    if (path == null)
                        throw new MalformedModelException(file, "/" + top + "/" + p, "missing: layer '" + l.name()
                                + "' (" + l.className() + ") needs its " + e.name() + " here");
                    stored.add(stored(layersGroup.dataset(path), e.name(), opts.withWeights()));
                }
            } else if (layersGroup.hasGroup(groupName)) {
                collectVars(layersGroup.group(groupName), "", stored, opts.withWeights());
            }
            out.add(l.withWeights(asm.assemble(l, expected, stored, false)));
        }
        return new KerasGraph(graph.className(), graph.name(), out, graph.inputs(), graph.outputs());
    }

    /** For a layer whose variables are not tabled: every {@code vars/<i>} below its group, depth first, in index order. */
    private static void collectVars(Hdf5Group g, String prefix, List<WeightAssembler.Stored> out, boolean withData) {
        if (g.hasGroup("vars")) {
            Hdf5Group vars = g.group("vars");
            for (int i = 0; vars.hasDataset(Integer.toString(i)); i++)
                out.add(stored(vars.dataset(Integer.toString(i)), prefix + i, withData));
        }
        for (String m : g.memberNames())
            if (!m.equals("vars") && g.hasGroup(m)) collectVars(g.group(m), prefix + m + "/", out, withData);
    }

    /** Keras 3 {@code optimizer/vars/0..n}, in index order. */
    private static List<WeightSpec> varsInOrder(Hdf5Group vars) {
        List<WeightSpec> out = new ArrayList<>();
        for (int i = 0; vars.hasDataset(Integer.toString(i)); i++) {
            Hdf5Dataset ds = vars.dataset(Integer.toString(i));
            out.add(new WeightSpec("vars/" + i, "optimizer", ds.shape(), ds.kerasDtype(), ds.readKerasFloats(), false, null, ds.path()));
        }
        return out;
    }

    /** Legacy {@code optimizer_weights}: the datasets named by its {@code weight_names}, in that order. */
    private static List<WeightSpec> legacyOptimizerVariables(Path file, Hdf5Group g) {
        List<WeightSpec> out = new ArrayList<>();
        for (String n : g.stringListAttribute("weight_names")) {
            Hdf5Dataset ds = namedDataset(file, g, n);
            out.add(new WeightSpec(n, "optimizer", ds.shape(), ds.kerasDtype(), ds.readKerasFloats(), false, null, ds.path()));
        }
        return out;
    }

    // ------------------------------------------------------------------ .keras zip

    private static KerasModel readZip(Path file, ReadOptions opts) {
        try (SafeZip zip = new SafeZip(file)) {
            if (!zip.has("config.json"))
                throw new MalformedModelException(file, null, "a zip archive without config.json: not a .keras model");
            JsonNode config = Json.parse(zip.readText("config.json"), file, "config.json");
            String version = null;
            if (zip.has("metadata.json")) {
                JsonNode meta = Json.parse(zip.readText("metadata.json"), file, "metadata.json");
                version = Json.text(meta, "keras_version");
            }
            ConfigReader cr = new ConfigReader(file, version);
            KerasGraph graph = cr.readModel(config);
            attachVocabularies(file, graph, zip);
            List<WeightSpec> optVars = List.of();
            if (zip.has("model.weights.h5")) {
                Path tmp = zip.extract("model.weights.h5");
                try (Hdf5File h5 = Hdf5File.openRead(tmp)) {
                    graph = attachV3Weights(file, graph, h5.root(), cr, opts);
                    if (opts.withWeights() && h5.root().hasGroup("optimizer/vars"))
                        optVars = varsInOrder(h5.root().group("optimizer/vars"));
                } catch (MalformedModelException e) {
                    throw new MalformedModelException(file, "model.weights.h5" + (e.part() == null ? "" : ": " + e.part()),
                            e.getMessage().substring(e.getMessage().indexOf(": ") + 2), e);
                } finally {
                    SafeZip.deleteQuietly(tmp);
                }
            } else if (zip.has("model.weights.npz") || zip.has("model.weights.json")) {
                throw new UnsupportedFeatureException(file, List.of(new UnsupportedItem("", "model.weights.npz", "weights",
                        "npz or sharded weight storage in a .keras archive is not supported; re-save with the default h5 storage")));
            } else if (!isWeightless(cr, graph)) {
                throw new MalformedModelException(file, null, "the archive has no model.weights.h5");
            }
            JsonNode compile = config.get("compile_config");
            TrainingSpec training = compile == null || compile.isNull() ? null
                    : new TrainingConfigParser(file).parse(compile, graph.outputs(), "config.json.compile_config");
            SourceInfo src = new SourceInfo(file.toString(), FORMAT_ZIP, version, null, sha256(file), null);
            return finish(file, graph, training, src, cr, opts, config, optVars);
        }
    }

    /** Layers whose adapted vocabulary Keras 3 writes as {@code assets/<layer path>/vocabulary.txt} (save_assets). */
    private static final java.util.Set<String> VOCABULARY_LAYERS = java.util.Set.of("IntegerLookup", "StringLookup", "TextVectorization");

    /**
     * Puts each lookup layer's saved vocabulary file into its config as {@code vocabulary}, as Keras' load_assets
     * sets it (the file's lines without trailing empty ones, special tokens included: set_vocabulary drops them when
     * they lead the list); a layer given its vocabulary at construction keeps it in its config instead.
     */
    private static void attachVocabularies(Path file, KerasGraph graph, SafeZip zip) {
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (LayerSpec l : graph.layers()) {
            if (l.isInput() && (graph.isSequential() || l.synthesized())) continue;
            String group = WeightLayout.v3GroupName(l, seen);
            if (!VOCABULARY_LAYERS.contains(l.className())) continue;
            JsonNode v = l.config().get("vocabulary");
            if (v != null && !v.isNull()) continue;
            String path = "assets/layers/" + group + "/vocabulary.txt";
            if (!zip.has(path)) continue;
            List<String> lines = new ArrayList<>(java.util.Arrays.asList(zip.readText(path).split("\n", -1)));
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
            com.fasterxml.jackson.databind.node.ArrayNode a = l.config().putArray("vocabulary");
            boolean ints = l.className().equals("IntegerLookup");
            for (String t : lines) {
                if (!ints) {
                    a.add(t);
                    continue;
                }
                try {
                    a.add(Long.parseLong(t.trim()));
                } catch (NumberFormatException e) {
                    throw new MalformedModelException(file, path, "IntegerLookup vocabulary line '" + t + "' is not an integer");
                }
            }
        }
    }

    private static boolean isWeightless(ConfigReader cr, KerasGraph g) {
        for (LayerSpec l : g.layers()) {
            List<WeightLayout.Expected> e = cr.weightLayout().expected(l);
            if (e == null || !e.isEmpty()) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ JSON architecture (+ weights)

    private static KerasModel readJson(Path file, ReadOptions opts) {
        if (opts.companion() != null) return readWeightsWithJson(file, opts.companion(), opts);
        JsonNode json = Json.parse(readSmallText(file), file, null);
        String version = Json.text(json, "keras_version");
        ConfigReader cr = new ConfigReader(file, version);
        KerasGraph graph = withoutValues(cr.readModel(json), cr.weightLayout());
        SourceInfo src = new SourceInfo(file.toString(), FORMAT_JSON, version, Json.text(json, "backend"), sha256(file), null);
        return finish(file, graph, null, src, cr, opts.withWeights(false), json, List.of());
    }

    /** An architecture alone: the variables each layer would own, with their regularizers, shapes unknown. */
    private static KerasGraph withoutValues(KerasGraph g, WeightLayout layout) {
        List<LayerSpec> out = new ArrayList<>();
        for (LayerSpec l : g.layers()) {
            List<WeightLayout.Expected> expected = layout.expected(l);
            List<WeightSpec> ws = new ArrayList<>();
            if (expected != null)
                for (WeightLayout.Expected e : expected)
                    ws.add(new WeightSpec(e.name(), e.role(), null, null, null, e.trainable(), e.regularizer(), null));
            out.add(l.withWeights(ws));
        }
        return new KerasGraph(g.className(), g.name(), out, g.inputs(), g.outputs());
    }

    private static KerasModel readWeightsWithJson(Path jsonFile, Path weightsFile, ReadOptions opts) {
        if (sniff(jsonFile) != Kind.JSON)
            throw new UsageException(jsonFile + ": the architecture must be the JSON of model.to_json()");
        if (sniff(weightsFile) != Kind.HDF5)
            throw new UsageException(weightsFile + ": the weights file must be HDF5 (.h5 / .weights.h5)");
        JsonNode json = Json.parse(readSmallText(jsonFile), jsonFile, null);
        String version = Json.text(json, "keras_version");
        String backend = Json.text(json, "backend");
        String format;
        KerasGraph graph;
        ConfigReader cr;
        try (Hdf5File h5 = Hdf5File.openRead(weightsFile)) {
            Hdf5Group root = h5.root();
            if (version == null) version = root.optStringAttribute("keras_version").orElse(null);
            cr = new ConfigReader(jsonFile, version);
            graph = cr.readModel(json);
            if (root.hasGroup("layers") || root.hasGroup("_layer_checkpoint_dependencies")) {
                format = FORMAT_WEIGHTS_V3;
                graph = attachV3Weights(weightsFile, graph, root, cr, opts);
            } else {
                format = FORMAT_WEIGHTS_LEGACY;
                Hdf5Group g = root.hasAttribute("layer_names") || root.hasAttribute("layer_names0") ? root : root.group("model_weights");
                if (backend == null) backend = g.optStringAttribute("backend").orElse(null);
                graph = attachLegacyWeights(weightsFile, graph, g, cr, version, opts);
            }
        }
        SourceInfo src = new SourceInfo(jsonFile.toString(), format, version, backend, sha256(jsonFile), weightsFile.toString());
        return finish(jsonFile, graph, null, src, cr, opts, json, List.of());
    }

    private static String readSmallText(Path file) {
        try {
            long size = Files.size(file);
            if (Limit.JSON_BYTES.exceededBy(size))
                throw new MalformedModelException(file, null, Limit.JSON_BYTES.refusal("this JSON architecture", size));
            return Files.readString(file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new MalformedModelException(file, null, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ common

    private static KerasModel finish(Path file, KerasGraph graph, TrainingSpec training, SourceInfo src, ConfigReader cr,
                                     ReadOptions opts, JsonNode config, List<WeightSpec> optimizerVariables) {
        if (!cr.unknownItems().isEmpty() && !opts.lenient())
            throw new UnsupportedFeatureException(file, cr.unknownItems());
        List<UnsupportedItem> unsupported = new ArrayList<>(cr.unknownItems());
        unsupported.addAll(cr.notComputable());
        return new KerasModel(graph, training, src, unsupported, config, optimizerVariables);
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Convenience for tests and tools: every weight of the model, top-level layer name first. */
    public static List<Map.Entry<String, WeightSpec>> allWeights(KerasModel m) {
        List<Map.Entry<String, WeightSpec>> out = new ArrayList<>();
        for (LayerSpec l : m.layers()) for (WeightSpec w : l.weights()) out.add(Map.entry(l.name(), w));
        return out;
    }
}
