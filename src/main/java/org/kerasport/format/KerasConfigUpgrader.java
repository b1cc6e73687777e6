package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kerasport.format.kinds.LayerKind;
import org.kerasport.format.kinds.LayerKinds;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.Regularizer;
import org.kerasport.model.TensorRef;
import org.kerasport.model.WeightSpec;

/**
 * Builds the Keras 3 config of a {@link KerasModel}: the model config as {@code config.json} holds it (every object
 * with {@code module}, {@code class_name}, {@code config}, {@code registered_name}) and the compile config.
 *
 * <p>A model written by Keras 3 keeps its layer configs verbatim; only the regularizer fields and {@code trainable}
 * flags are set from the model's current weights (fine-tuning may have changed them). Older configs (Keras 1, 2,
 * tf.keras) are upgraded: the reader's Keras 2 keys, list-form Sequential to a dict with an explicit InputLayer,
 * {@code batch_input_shape} to {@code batch_shape}, {@code time_major} and other keys Keras 3 refuses dropped, Policy
 * dtypes to plain strings, envelopes with {@code module}/{@code registered_name} (KERAS_FORMATS.md §1.6, §3.3, §4),
 * then each class's own upgrade from its {@code LayerKind}; the compile config is {@link CompileConfigUpgrader}'s.
 * Every change made to an older config is recorded in {@link #notes()}.
 */
public final class KerasConfigUpgrader {
    private final KerasModel model;
    private final boolean keras3;
    private final List<String> notes = new ArrayList<>();

    public KerasConfigUpgrader(KerasModel model) {
        this.model = model;
        this.keras3 = model.source().kerasMajor() == 3 && model.source().kerasVersion() != null;
    }

    /** What the upgrade changed beyond regularizers and trainable flags (one line each, deduplicated). */
    public List<String> notes() {
        return List.copyOf(new java.util.LinkedHashSet<>(notes));
    }

    // ------------------------------------------------------------------ model config

    /** The top-level model object: {@code {module, class_name, config, registered_name}}. */
    public ObjectNode modelConfig() {
        JsonNode raw = model.config();
        JsonNode rawCfg = raw == null ? null : raw.get("config");
        return modelEnvelope(model.graph(), rawCfg, null, true);
    }

    private ObjectNode modelEnvelope(KerasGraph g, JsonNode rawCfg, Map<String, List<WeightSpec>> weightsBySub, boolean trainable) {
        ObjectNode env = Json.object();
        boolean seq = g.isSequential();
        env.put("module", seq ? "keras" : "keras.src.models.functional");
        env.put("class_name", seq ? "Sequential" : "Functional");
        env.set("config", graphConfig(g, rawCfg, weightsBySub, trainable));
        if (seq) env.putNull("registered_name");
        else env.put("registered_name", "Functional");
        return env;
    }

    /**
     * {@code weightsBySub}: for a nested model, its variables by sub-layer (null at the top level); {@code trainable}:
     * whether the nested model itself is (Keras freezes every sub-layer of a model set non-trainable).
     */
    private ObjectNode graphConfig(KerasGraph g, JsonNode rawCfg, Map<String, List<WeightSpec>> weightsBySub, boolean trainable) {
        ObjectNode cfg = rawCfg != null && rawCfg.isObject() ? ((ObjectNode) rawCfg).deepCopy() : Json.object();
        Map<String, JsonNode> rawEnvs = new HashMap<>();
        JsonNode rawLayers = rawCfg == null ? null : rawCfg.isArray() ? rawCfg : rawCfg.get("layers");
        if (rawCfg != null && rawCfg.isArray()) notes.add("list-form Sequential config (Keras <= 2.2.2) written as a dict");
        if (rawLayers != null && rawLayers.isArray())
            for (JsonNode e : rawLayers) {
                JsonNode c = e.get("config");
                String n = c != null && c.isObject() && c.has("name") ? c.get("name").asText() : Json.text(e, "name");
                if (n != null) rawEnvs.put(n, e);
            }
        cfg.put("name", g.name());
        ArrayNode layers = cfg.putArray("layers");
        for (LayerSpec l : g.layers()) {
            List<WeightSpec> ws = weightsBySub == null ? l.weights() : weightsBySub.getOrDefault(l.name(), List.of());
            if (weightsBySub != null && !l.isInput()) l = withTrainable(l, nestedTrainable(l, ws, trainable));
            ObjectNode env = layerEnvelope(l, rawEnvs.get(l.name()), ws);
            if (!g.isSequential()) {
                env.put("name", l.name());
                JsonNode raw = rawEnvs.get(l.name());
                JsonNode nodes = raw == null ? null : raw.get("inbound_nodes");
                if (nodes == null) nodes = inboundNodes(l);
                env.set("inbound_nodes", nodes);
            }
            layers.add(env);
        }
        if (g.isSequential()) {
            cfg.remove("build_input_shape");
            if (rawCfg != null && rawCfg.isObject() && rawCfg.has("build_input_shape") && !keras3) {
                ArrayNode s = batchShape(rawCfg.get("build_input_shape"));
                if (s != null) cfg.set("build_input_shape", s);
            } else if (rawCfg != null && rawCfg.isObject() && rawCfg.has("build_input_shape")) {
                cfg.set("build_input_shape", rawCfg.get("build_input_shape"));
            }
        }
        if (!keras3 && cfg.has("dtype")) cfg.set("dtype", dtype(cfg.get("dtype")));
        return cfg;
    }

    private static ArrayNode batchShape(JsonNode n) {
        return n != null && n.isArray() ? (ArrayNode) n.deepCopy() : null;
    }

    /** Keras 2 list-form inbound nodes for a layer whose raw envelope has none (should not happen; kept simple). */
    private static ArrayNode inboundNodes(LayerSpec l) {
        ArrayNode nodes = Json.MAPPER.createArrayNode();
        for (var n : l.inboundNodes()) {
            ArrayNode node = nodes.addArray();
            for (TensorRef r : n.inputs()) node.addArray().add(r.layer()).add(r.nodeIndex()).add(r.tensorIndex()).add(n.kwargs());
        }
        return nodes;
    }

    // ------------------------------------------------------------------ layers

    private ObjectNode layerEnvelope(LayerSpec l, JsonNode rawEnv, List<WeightSpec> weights) {
        if (LayerCatalog.MODELS.contains(l.className())) {
            Map<String, List<WeightSpec>> bySub = splitByPrefix(l.inner(), weights);
            ObjectNode env = modelEnvelope(l.inner(), l.rawConfig(), bySub, l.trainable());
            ObjectNode cfg = (ObjectNode) env.get("config");
            if (cfg.has("trainable") || !l.trainable()) cfg.put("trainable", l.trainable());
            if (!keras3) for (String k : List.of("input_layers", "output_layers")) unwrapSingleTensor(cfg, k);
            return env;
        }
        ObjectNode env;
        ObjectNode cfg;
        if (keras3 && rawEnv != null && rawEnv.has("module")) {
            env = ((ObjectNode) rawEnv).deepCopy();
            env.remove("name");
            env.remove("inbound_nodes");
            cfg = (ObjectNode) env.get("config");
        } else {
            env = Json.object();
            env.put("module", "keras.layers");
            env.put("class_name", l.className());
            if (!l.className().equals(l.writtenClassName()))
                notes.add("layer class " + l.writtenClassName() + " written as " + l.className());
            cfg = l.config().deepCopy();
            ObjectNode rescaling = l.className().equals("Lambda") ? LambdaBytecode.asRescaling(cfg) : null;
            ObjectNode resizing = l.className().equals("Lambda") && rescaling == null ? LambdaBytecode.asResizing(cfg) : null;
            if (resizing != null) {
                env.put("class_name", "Resizing");
                boolean aligned = resizing.remove("_align_corners") != null;
                notes.add("Lambda '" + l.name() + "': its Python 3.5 bytecode computes " + resizing.remove("_expr").asText()
                        + ", written as Keras 3's Resizing layer (bilinear)" + (aligned
                        ? "; Resizing samples at half-pixel centres, the original at aligned corners, so the exported model "
                        + "computes differently in Keras 3 (no Keras 3 layer resizes with align_corners=True)" : ""));
                cfg = resizing;
            } else if (rescaling != null) {
                env.put("class_name", "Rescaling");
                notes.add("Lambda '" + l.name() + "': its Python 3.5 bytecode computes x " + rescaling.remove("_expr").asText()
                        + ", written as the equivalent Rescaling layer (Python 3.11 cannot unmarshal the original bytecode)");
                cfg = rescaling;
            } else {
                upgradeLayerConfig(l, cfg);
            }
            env.set("config", cfg);
            env.putNull("registered_name");
        }
        cfg.put("name", l.name());
        JsonNode vocabulary = l.config().get("vocabulary");
        if (vocabulary != null && vocabulary.isArray() && (!cfg.has("vocabulary") || cfg.get("vocabulary").isNull()))
            // a lookup layer's adapted vocabulary, read from the .keras assets: the export writes no assets, and Keras'
            // set_vocabulary takes the list (special tokens first) from the config as it takes the file
            cfg.set("vocabulary", vocabulary.deepCopy());
        if (!l.isInput() && (cfg.has("trainable") || !l.trainable())) cfg.put("trainable", l.trainable());
        if (l.className().startsWith("SpatialDropout") && l.trainable()) cfg.remove("trainable"); // its __init__ refuses it
        applyRegularizers(l, cfg, weights);
        if (l.inner() != null && (l.className().equals("Bidirectional") || l.className().equals("TimeDistributed"))) {
            // the wrapped layer's config: upgraded (older files) and with the current regularizers of its variables
            LayerSpec inner = l.inner().layers().get(0);
            List<WeightSpec> innerWeights = new ArrayList<>();
            for (WeightSpec w : weights)
                if (w.name().startsWith(inner.name() + "."))
                    innerWeights.add(rename(w, w.name().substring(inner.name().length() + 1)));
            JsonNode rawInner = cfg.get("layer");
            LayerSpec wrapped = l.className().equals("Bidirectional") ? withName(inner, Json.text(rawInner.path("config"), "name")) : inner;
            cfg.set("layer", layerEnvelope(wrapped, rawInner, innerWeights));
            if (cfg.has("backward_layer") && cfg.get("backward_layer").isObject() && l.inner().layers().size() > 1) {
                LayerSpec back = l.inner().layers().get(1);
                List<WeightSpec> bw = new ArrayList<>();
                for (WeightSpec w : weights)
                    if (w.name().startsWith(back.name() + ".")) bw.add(rename(w, w.name().substring(back.name().length() + 1)));
                cfg.set("backward_layer", layerEnvelope(back, cfg.get("backward_layer"), bw));
            }
        }
        if (l.inner() != null && (l.className().equals("RNN") || l.className().equals("StackedRNNCells"))) {
            // the cells' configs, with the current regularizers of their variables (named <cell>.<variable>)
            boolean rnn = l.className().equals("RNN");
            JsonNode list = rnn ? null : cfg.get("cells");
            List<LayerSpec> cells = l.inner().layers();
            for (int i = 0; i < cells.size(); i++) {
                LayerSpec cell = cells.get(i);
                JsonNode rawCell = rnn ? cfg.get("cell") : list != null && list.isArray() && i < list.size() ? list.get(i) : null;
                if (rawCell == null || !rawCell.isObject()) continue;
                List<WeightSpec> cw = new ArrayList<>();
                for (WeightSpec w : weights)
                    if (w.name().startsWith(cell.name() + ".")) cw.add(rename(w, w.name().substring(cell.name().length() + 1)));
                ObjectNode written = layerEnvelope(cell, rawCell, cw);
                if (rnn) cfg.set("cell", written);
                else ((ArrayNode) list).set(i, written);
            }
        }
        return env;
    }

    /**
     * Keras 1/2 write a single-tensor model's {@code input_layers}/{@code output_layers} as a one-element list
     * ({@code [["out_relu", 0, 0]]}); they treated it as one tensor. Keras 3 reads that as a list of one tensor, and a
     * nested model with such outputs hands its caller a list (a Sequential then feeds the next layer two tensors).
     * Keras 3 writes a single tensor as the bare triple: so does the export of a nested model.
     */
    private static void unwrapSingleTensor(ObjectNode cfg, String key) {
        JsonNode v = cfg.get(key);
        if (v != null && v.isArray() && v.size() == 1 && v.get(0).isArray() && v.get(0).size() >= 3 && v.get(0).get(0).isTextual())
            cfg.set(key, v.get(0).deepCopy());
    }

    /**
     * The trainable flag a layer inside a nested model is written with. Fine-tuning edits (--freeze/--unfreeze of the
     * nested model) change its variables' flags, not the sub-layers' configs, and Keras 3 restores a nested model's
     * trainability only from its sub-layers' configs ({@code Sequential.from_config} ignores its own
     * {@code trainable}): so a layer with variables is trainable when one of its non-statistic variables is, a layer
     * without is frozen with its model. That is what Keras writes after {@code model.trainable = False}.
     */
    private static boolean nestedTrainable(LayerSpec l, List<WeightSpec> weights, boolean modelTrainable) {
        boolean any = false, trainable = false;
        for (WeightSpec w : weights) {
            String role = w.role() == null ? "" : w.role();
            if (role.startsWith("moving_") || Set.of("mean", "variance", "count").contains(role)) continue;
            any = true;
            trainable |= w.trainable();
        }
        return any ? trainable : modelTrainable && l.trainable();
    }

    private static LayerSpec withTrainable(LayerSpec l, boolean trainable) {
        if (l.trainable() == trainable) return l;
        return new LayerSpec(l.name(), l.className(), l.writtenClassName(), l.config(), l.rawConfig(), trainable,
                l.inboundNodes(), l.weights(), l.activityRegularizer(), l.inner(), l.synthesized());
    }

    private static LayerSpec withName(LayerSpec l, String name) {
        if (name == null) return l;
        return new LayerSpec(name, l.className(), l.writtenClassName(), l.config(), l.rawConfig(), l.trainable(),
                l.inboundNodes(), l.weights(), l.activityRegularizer(), l.inner(), l.synthesized());
    }

    private static WeightSpec rename(WeightSpec w, String name) {
        return new WeightSpec(name, w.role(), w.shape(), w.dtype(), w.data(), w.trainable(), w.regularizer(), w.source());
    }

    private static Map<String, List<WeightSpec>> splitByPrefix(KerasGraph g, List<WeightSpec> weights) {
        Map<String, List<WeightSpec>> out = new LinkedHashMap<>();
        for (LayerSpec s : g.layers()) {
            List<WeightSpec> ws = new ArrayList<>();
            for (WeightSpec w : weights)
                if (w.name().startsWith(s.name() + ".")) ws.add(rename(w, w.name().substring(s.name().length() + 1)));
            out.put(s.name(), ws);
        }
        return out;
    }

    /** Sets each regularizer field from the variables' current regularizers, and the activity regularizer. */
    private void applyRegularizers(LayerSpec l, ObjectNode cfg, List<WeightSpec> weights) {
        for (WeightSpec w : weights) {
            String field = ConfigReader.REGULARIZER_FIELD_BY_ROLE.get(w.role());
            if (field == null) continue;
            if (l.className().startsWith("DepthwiseConv") && w.role().equals("depthwise_kernel")) field = "depthwise_regularizer";
            if (w.name().contains(".") && !isOwnCellWeight(l, w)) continue; // a sub-object's variable (wrapper, nested)
            JsonNode now = regularizer(w.regularizer());
            JsonNode before = cfg.get(field);
            if (keras3 && before != null && sameRegularizer(before, w.regularizer())) continue; // keep verbatim
            if (now.isNull() && (before == null || before.isNull())) continue;
            cfg.set(field, now);
        }
        if (!keras3 && (l.activityRegularizer() != null || cfg.has("activity_regularizer")))
            cfg.set("activity_regularizer", regularizer(l.activityRegularizer()));
    }

    private static boolean isOwnCellWeight(LayerSpec l, WeightSpec w) {
        return w.name().startsWith(LayerCatalog.snakeCase(l.className()) + "_cell.") || l.className().equals("MultiHeadAttention");
    }

    private static boolean sameRegularizer(JsonNode written, Regularizer r) {
        try {
            Regularizer p = RegularizerParser.parse(written);
            if (p == null || r == null) return p == r;
            return p.className().equals(r.className()) && p.l1() == r.l1() && p.l2() == r.l2();
        } catch (Exception e) {
            return false;
        }
    }

    /** Keras 3's serialized form of a regularizer (KERAS_FORMATS.md §5.1), or null. */
    public static JsonNode regularizer(Regularizer r) {
        if (r == null) return Json.MAPPER.nullNode();
        ObjectNode env = Json.object();
        env.put("module", "keras.regularizers");
        env.put("class_name", r.className());
        ObjectNode c = env.putObject("config");
        if (r instanceof Regularizer.L1 x) c.put("l1", x.l1());
        else if (r instanceof Regularizer.L2 x) c.put("l2", x.l2());
        else if (r instanceof Regularizer.L1L2 x) c.put("l1", x.l1()).put("l2", x.l2());
        else if (r instanceof Regularizer.Orthogonal x) c.put("factor", x.factor()).put("mode", x.mode());
        env.putNull("registered_name");
        return env;
    }

    private static final Set<String> INPUT_KEYS = Set.of("batch_shape", "dtype", "sparse", "ragged", "name", "optional");
    /**
     * Keys Keras 3 layers refuse (Keras 1 and tf.keras leftovers; Keras 1 RNNs had input_length, Keras 3 Embedding only
     * warns about it), unless the class's {@link LayerKind} keeps one. Then the kind's own upgrade runs.
     */
    private static final Set<String> DROPPED = Set.of("input_dtype", "consume_less", "W_learning_rate_multiplier",
            "b_learning_rate_multiplier", "cache", "time_major", "batch_input_shape", "batch_shape", "input_shape",
            "input_dim", "input_length");

    private void upgradeLayerConfig(LayerSpec l, ObjectNode cfg) {
        String cls = l.className();
        if (cls.equals("InputLayer")) {
            JsonNode shape = cfg.has("batch_shape") ? cfg.get("batch_shape") : cfg.get("batch_input_shape");
            if (l.config().has("input_dtype")) cfg.set("dtype", l.config().get("input_dtype"));
            List<String> keys = new ArrayList<>();
            cfg.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) if (!INPUT_KEYS.contains(k)) cfg.remove(k);
            if (shape != null) cfg.set("batch_shape", shape);
            if (cfg.has("dtype")) cfg.set("dtype", dtype(cfg.get("dtype")));
            if (!cfg.has("sparse")) cfg.put("sparse", false);
            return;
        }
        LayerKind kind = LayerKinds.get(cls);
        for (String k : DROPPED)
            if (cfg.has(k) && (kind == null || !kind.keepsKey(k))) {
                cfg.remove(k);
                if (k.equals("time_major")) notes.add("dropped time_major (tf.keras RNN key Keras 3 refuses)");
            }
        if (kind != null && kind.upgrade() != null) kind.upgrade().upgrade(l, cfg, notes::add);
        if (cfg.has("dtype")) cfg.set("dtype", dtype(cfg.get("dtype")));
        List<String> keys = new ArrayList<>();
        cfg.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            JsonNode v = cfg.get(k);
            if (k.endsWith("_initializer")) cfg.set(k, envelope(v, "keras.initializers", true));
            else if (k.endsWith("_constraint")) cfg.set(k, envelope(v, "keras.constraints", false));
            else if (k.endsWith("_regularizer") && v != null && v.isObject() && !v.has("module")) {
                try {
                    cfg.set(k, regularizer(RegularizerParser.parse(v)));
                } catch (Exception e) {
                    // an unknown regularizer stays as written; the reader has reported it
                }
            }
        }
    }

    static void rename(ObjectNode cfg, String from, String to) {
        if (cfg.has(from)) {
            if (!cfg.has(to)) cfg.set(to, cfg.get(from));
            cfg.remove(from);
        }
    }

    /** A Keras 2 {@code {class_name, config}} object with Keras 3's module and registered_name. */
    static JsonNode envelope(JsonNode v, String module, boolean initializer) {
        if (v == null || !v.isObject() || !v.has("class_name")) return v;
        ObjectNode o = ((ObjectNode) v).deepCopy();
        if (!o.has("module")) o.put("module", module);
        if (!o.has("registered_name")) o.putNull("registered_name");
        if (initializer && o.get("config") instanceof ObjectNode c) {
            c.remove("dtype"); // tf.keras 1.x/2.2.4-tf initializers carried a dtype their Keras 3 classes refuse
            if ("normal".equals(Json.text(c, "distribution"))) c.put("distribution", "truncated_normal");
        }
        return o;
    }

    /** A dtype as Keras 3 accepts it: tf.keras Policy dicts become their name. */
    private JsonNode dtype(JsonNode d) {
        if (d == null || d.isNull() || d.isTextual()) return d;
        if ("Policy".equals(Json.text(d, "class_name"))) {
            notes.add("tf.keras mixed-precision Policy dtype written as the plain string '" + ConfigReader.dtypeName(d) + "'");
            return Json.MAPPER.getNodeFactory().textNode(ConfigReader.dtypeName(d));
        }
        return d;
    }

    // ------------------------------------------------------------------ compile config

    /** Keras 3 {@code compile_config} ({@code .keras}), or null when the model has no training config. */
    public ObjectNode compileConfig() {
        return new CompileConfigUpgrader(model, notes).compileConfig();
    }

    /** The legacy {@code .h5} {@code training_config}: full loss names, a loss_weights key, optimizer_config. */
    public ObjectNode trainingConfig() {
        return new CompileConfigUpgrader(model, notes).trainingConfig();
    }
}
