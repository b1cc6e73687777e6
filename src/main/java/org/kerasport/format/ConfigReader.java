package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kerasport.Limit;
import org.kerasport.MalformedModelException;
import org.kerasport.UnsupportedItem;
import org.kerasport.model.InboundNode;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.Regularizer;
import org.kerasport.model.TensorRef;

/**
 * Turns a Keras model config (any generation: Keras 1 list-form Sequential, Keras 2 / tf.keras list-form inbound
 * nodes, Keras 3 {@code args}/{@code kwargs} nodes with {@code __keras_tensor__}) into one {@link KerasGraph} form.
 * Weights are attached later by the container readers. Parses Keras' envelope ({@code class_name}, {@code config},
 * {@code module}, {@code registered_name}) once, here.
 */
public final class ConfigReader {
    private static final int MAX_DEPTH = 32;

    private final Path file;
    private final boolean keras1;
    private final List<UnsupportedItem> unknown = new ArrayList<>();
    private final List<UnsupportedItem> notes = new ArrayList<>();
    private int layerCount;

    /**
     * @param file         for messages
     * @param kerasVersion the writing Keras version if the file records one (selects the Keras 1 dialect), else null
     */
    public ConfigReader(Path file, String kerasVersion) {
        this.file = file;
        this.keras1 = kerasVersion != null && kerasVersion.startsWith("1");
    }

    /** Items that make the model unreadable as plain Keras: custom layer classes, custom regularizers. */
    public List<UnsupportedItem> unknownItems() {
        return unknown;
    }

    /** Items that are read fine but cannot be computed by Kerasport (Lambda bytecode, orthogonal regularizers). */
    public List<UnsupportedItem> notComputable() {
        return notes;
    }

    /** Reads a whole-model config: {@code {"class_name": "Sequential"|"Model"|"Functional", "config": ...}}. */
    public KerasGraph readModel(JsonNode envelope) {
        if (envelope == null || !envelope.isObject())
            throw bad("model_config", "expected a JSON object with class_name and config");
        String cls = Json.text(envelope, "class_name");
        if (cls == null) throw bad("model_config", "no class_name: not a Keras model config");
        String canonical = LayerCatalog.canonical(cls);
        if (!LayerCatalog.MODELS.contains(canonical) && !canonical.equals("Functional"))
            throw bad("model_config.class_name", "'" + cls + "' is not a Keras model class (Sequential, Functional, Model)");
        JsonNode cfg = envelope.get("config");
        if (cfg == null || cfg.isNull()) throw bad("model_config.config", "missing");
        return readGraph(canonical, cfg, "model_config", 0);
    }

    private KerasGraph readGraph(String canonical, JsonNode cfg, String part, int depth) {
        if (depth > MAX_DEPTH) throw bad(part, "models nested deeper than " + MAX_DEPTH + " levels");
        return canonical.equals("Sequential") ? readSequential(cfg, part, depth) : readFunctional(cfg, part, depth);
    }

    // ---------------------------------------------------------------- Sequential

    private KerasGraph readSequential(JsonNode cfg, String part, int depth) {
        JsonNode layersNode;
        String name;
        if (cfg.isArray()) { // Keras 1 and Keras <= 2.2.2
            layersNode = cfg;
            name = "sequential";
        } else if (cfg.isObject()) {
            layersNode = cfg.get("layers");
            name = Json.text(cfg, "name");
            if (name == null) name = "sequential";
        } else {
            throw bad(part, "Sequential config must be an object or a list");
        }
        if (layersNode == null || !layersNode.isArray()) throw bad(part + ".layers", "missing or not a list");
        List<LayerSpec> layers = new ArrayList<>();
        TensorRef previous = null;
        for (int i = 0; i < layersNode.size(); i++) {
            JsonNode env = layersNode.get(i);
            String lpart = part + ".layers[" + i + "]";
            if (i == 0 && !"InputLayer".equals(Json.text(env, "class_name"))) {
                LayerSpec input = synthesizeInput(env, cfg, lpart);
                if (input != null) {
                    layers.add(input);
                    previous = new TensorRef(input.name(), 0, 0);
                }
            }
            List<InboundNode> inbound = previous == null ? List.of()
                    : List.of(new InboundNode(List.of(previous), Json.object()));
            LayerSpec layer = readLayer(env, inbound, lpart, depth);
            layers.add(layer);
            previous = new TensorRef(layer.name(), 0, 0);
        }
        checkUniqueNames(layers, part);
        List<TensorRef> inputs = layers.isEmpty() || !layers.get(0).isInput() ? List.of()
                : List.of(new TensorRef(layers.get(0).name(), 0, 0));
        List<TensorRef> outputs = previous == null ? List.of() : List.of(previous);
        return new KerasGraph("Sequential", name, layers, inputs, outputs);
    }

    /** A Sequential without an InputLayer: Keras builds one from the first layer's input shape. */
    private LayerSpec synthesizeInput(JsonNode firstEnv, JsonNode seqCfg, String part) {
        JsonNode c = firstEnv == null ? null : firstEnv.get("config");
        ArrayNode shape = null;
        if (c != null && c.isObject()) {
            if (c.has("batch_input_shape")) shape = asArray(c.get("batch_input_shape"));
            else if (c.has("batch_shape")) shape = asArray(c.get("batch_shape"));
            else if (c.has("input_shape") && c.get("input_shape").isArray()) {
                shape = Json.MAPPER.createArrayNode().addNull();
                shape.addAll((ArrayNode) c.get("input_shape"));
            } else if (c.has("input_dim") && !c.get("input_dim").isNull()) {
                shape = Json.MAPPER.createArrayNode().addNull();
                if (c.has("input_length")) shape.add(c.get("input_length"));
                shape.add(c.get("input_dim"));
            }
        }
        if (shape == null && seqCfg.isObject() && seqCfg.has("build_input_shape"))
            shape = asArray(seqCfg.get("build_input_shape"));
        if (shape == null) return null; // an unbuilt Sequential: no input known
        String firstName = c == null ? null : Json.text(c, "name");
        String name = (firstName == null ? "input" : firstName) + "_input";
        ObjectNode cfg = Json.object();
        cfg.set("batch_shape", shape);
        String dtype = c == null ? null : Json.text(c, "input_dtype");
        cfg.put("dtype", dtype != null ? dtype : dtypeName(c == null ? null : c.get("dtype")));
        cfg.put("name", name);
        return new LayerSpec(name, "InputLayer", "InputLayer", cfg, cfg, true, List.of(), List.of(), null, null, true);
    }

    private ArrayNode asArray(JsonNode n) {
        return n != null && n.isArray() ? (ArrayNode) n : null;
    }

    // ---------------------------------------------------------------- Functional

    private KerasGraph readFunctional(JsonNode cfg, String part, int depth) {
        if (!cfg.isObject()) throw bad(part, "Functional config must be an object");
        JsonNode layersNode = cfg.get("layers");
        if (layersNode == null || !layersNode.isArray()) throw bad(part + ".layers", "missing or not a list");
        String name = Json.text(cfg, "name");
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < layersNode.size(); i++) {
            JsonNode env = layersNode.get(i);
            String lpart = part + ".layers[" + i + "]";
            List<InboundNode> inbound = readInboundNodes(env == null ? null : env.get("inbound_nodes"), lpart);
            layers.add(readLayer(env, inbound, lpart, depth));
        }
        checkUniqueNames(layers, part);
        List<TensorRef> inputs = new ArrayList<>();
        collectRefs(cfg.get("input_layers"), inputs, part + ".input_layers");
        List<TensorRef> outputs = new ArrayList<>();
        collectRefs(cfg.get("output_layers"), outputs, part + ".output_layers");
        Set<String> names = new HashSet<>();
        layers.forEach(l -> names.add(l.name()));
        for (LayerSpec l : layers)
            for (InboundNode n : l.inboundNodes())
                for (TensorRef r : n.inputs())
                    if (!names.contains(r.layer()))
                        throw bad(part + ".layers['" + l.name() + "'].inbound_nodes", "refers to unknown layer '" + r.layer() + "'");
        for (TensorRef r : inputs) if (!names.contains(r.layer())) throw bad(part + ".input_layers", "unknown layer '" + r.layer() + "'");
        for (TensorRef r : outputs) if (!names.contains(r.layer())) throw bad(part + ".output_layers", "unknown layer '" + r.layer() + "'");
        return new KerasGraph("Functional", name == null ? "model" : name, layers, inputs, outputs);
    }

    private List<InboundNode> readInboundNodes(JsonNode nodes, String part) {
        List<InboundNode> out = new ArrayList<>();
        if (nodes == null || nodes.isNull()) return out;
        if (!nodes.isArray()) throw bad(part + ".inbound_nodes", "not a list");
        for (JsonNode node : nodes) {
            if (node.isObject()) { // Keras 3: {"args": [...], "kwargs": {...}}
                List<TensorRef> refs = new ArrayList<>();
                collectKerasTensors(node.get("args"), refs, part);
                JsonNode kwargs = node.get("kwargs");
                collectKerasTensors(kwargs, refs, part);
                out.add(new InboundNode(refs, kwargs == null ? Json.object() : kwargs));
            } else if (node.isArray()) { // Keras 1/2: [[layer, node_index, tensor_index, kwargs?], ...]
                List<TensorRef> refs = new ArrayList<>();
                JsonNode kwargs = Json.object();
                for (JsonNode t : node) {
                    refs.add(triple(t, part + ".inbound_nodes"));
                    if (t.size() > 3 && t.get(3).isObject()) kwargs = t.get(3);
                }
                out.add(new InboundNode(refs, kwargs));
            } else {
                throw bad(part + ".inbound_nodes", "a node must be a list or an object, found " + node.getNodeType());
            }
        }
        return out;
    }

    private void collectKerasTensors(JsonNode n, List<TensorRef> out, String part) {
        if (n == null) return;
        if (n.isObject()) {
            if ("__keras_tensor__".equals(Json.text(n, "class_name"))) {
                JsonNode h = n.path("config").get("keras_history");
                if (h == null) throw bad(part + ".inbound_nodes", "__keras_tensor__ without keras_history");
                out.add(triple(h, part + ".inbound_nodes"));
                return;
            }
            n.elements().forEachRemaining(v -> collectKerasTensors(v, out, part));
        } else if (n.isArray()) {
            n.elements().forEachRemaining(v -> collectKerasTensors(v, out, part));
        }
    }

    /** input_layers/output_layers: a triple, a list of triples, or Keras 3's nested structure of them. */
    private void collectRefs(JsonNode n, List<TensorRef> out, String part) {
        if (n == null || n.isNull()) return;
        if (isTriple(n)) {
            out.add(triple(n, part));
        } else if (n.isArray() || n.isObject()) {
            n.elements().forEachRemaining(v -> collectRefs(v, out, part));
        } else {
            throw bad(part, "expected [layer_name, node_index, tensor_index], found " + n);
        }
    }

    private static boolean isTriple(JsonNode n) {
        return n.isArray() && n.size() >= 3 && n.get(0).isTextual() && n.get(1).isIntegralNumber() && n.get(2).isIntegralNumber();
    }

    private TensorRef triple(JsonNode t, String part) {
        if (!isTriple(t)) throw bad(part, "expected [layer_name, node_index, tensor_index], found " + t);
        return new TensorRef(t.get(0).asText(), t.get(1).asInt(), t.get(2).asInt());
    }

    // ---------------------------------------------------------------- layers

    private LayerSpec readLayer(JsonNode env, List<InboundNode> inbound, String part, int depth) {
        if (Limit.LAYERS.exceededBy(++layerCount)) throw bad(part, Limit.LAYERS.refusal("this model config", layerCount));
        if (env == null || !env.isObject()) throw bad(part, "a layer must be an object with class_name and config");
        String written = Json.text(env, "class_name");
        if (written == null) throw bad(part, "layer without class_name");
        String module = Json.text(env, "module");
        // a keras.ops call on a symbolic tensor, saved by Keras 3 as a layer of the op's class (keras.src.ops.numpy.Add
        // ...): its own class name space, apart from the layers of the same name
        boolean op = module != null && module.startsWith(LayerCatalog.OPS_MODULE);
        if (module == null && opCall(written, env.get("inbound_nodes"))) { // Keras 3's legacy .h5 drops the module
            op = true;
            module = LayerCatalog.OPS_MODULE + "numpy";
        } else if (module == null && !LayerCatalog.isKnown(LayerCatalog.canonical(written)) && !LayerCatalog.isBuiltIn(written)) {
            for (String o : LayerCatalog.OPS) // an op class no layer shares a name with (NotEqual, Any, Cast, ...)
                if (o.endsWith("." + written)) {
                    op = true;
                    module = LayerCatalog.OPS_MODULE + o.substring(4, o.length() - written.length() - 1);
                }
        }
        String canonical = op ? LayerCatalog.opClass(module, written) : LayerCatalog.canonical(written);
        JsonNode raw = env.get("config");
        if (raw == null || raw.isNull()) throw bad(part, "layer '" + written + "' without config");
        String name = raw.isObject() ? Json.text(raw, "name") : null;
        if (name == null) name = Json.text(env, "name");
        if (name == null) throw bad(part, "layer of class " + written + " without a name");
        String lpart = part + " (layer '" + name + "')";

        if (LayerCatalog.MODELS.contains(canonical)) {
            KerasGraph inner = readGraph(canonical, raw, lpart, depth + 1);
            boolean trainable = !raw.isObject() || !raw.has("trainable") || raw.get("trainable").asBoolean(true);
            ObjectNode cfg = raw.isObject() ? ((ObjectNode) raw).deepCopy() : Json.object();
            return new LayerSpec(name, canonical, written, cfg, raw, trainable, inbound, List.of(), null, inner, false);
        }
        if (!raw.isObject()) throw bad(lpart, "config is not an object");
        boolean k1 = keras1 || Keras1Dialect.looksLikeKeras1(canonical, raw);
        ObjectNode cfg = k1 ? Keras1Dialect.normalize(canonical, raw) : ((ObjectNode) raw).deepCopy();
        if (canonical.equals("InputLayer") && !cfg.has("batch_shape") && cfg.has("batch_input_shape"))
            cfg.set("batch_shape", cfg.get("batch_input_shape"));
        boolean trainable = !cfg.has("trainable") || cfg.get("trainable").asBoolean(true);

        if (op) cfg.set(LayerCatalog.CALL_ARGS, callArgs(env.get("inbound_nodes")));
        if (!LayerCatalog.isKnown(canonical)) {
            String reg = Json.text(env, "registered_name");
            if (op)
                unknown.add(new UnsupportedItem(name, written, "class_name", "Keras operation layer " + module + "." + written
                        + " (a keras.ops call saved in the model) is not supported yet; supported: "
                        + String.join(", ", LayerCatalog.supportedOps())));
            else if (LayerCatalog.isBuiltIn(written) && (reg == null || LayerCatalog.isBuiltIn(reg)))
                unknown.add(new UnsupportedItem(name, written, "class_name", "built-in Keras layer " + written
                        + " is not supported yet; replace it with supported layers or drop it with --lenient"));
            else
                unknown.add(new UnsupportedItem(name, written, "class_name",
                        "unknown layer class" + (reg != null ? " (registered as '" + reg + "')" : "")
                                + ": a custom layer is Python code Kerasport cannot run; replace it with built-in layers"));
        }
        if (canonical.equals("Lambda"))
            notes.add(new UnsupportedItem(name, written, "function",
                    "a Lambda layer holds marshalled Python bytecode, which Kerasport reads but never executes; "
                            + "replace it with built-in layers (e.g. Rescaling, Cropping2D) before converting"));

        Regularizer activity = regularizer(cfg, "activity_regularizer", name, written);
        KerasGraph inner = null;
        if (canonical.equals("Bidirectional") || canonical.equals("TimeDistributed"))
            inner = readWrapped(canonical, cfg, lpart, depth);
        else if (canonical.equals("RNN") || canonical.equals("StackedRNNCells"))
            inner = readCells(canonical, name, cfg, lpart, depth);
        return new LayerSpec(name, canonical, written, cfg, raw, trainable, inbound, List.of(), activity, inner, false);
    }

    /**
     * True for an arithmetic class (Add, Subtract, Multiply, Divide, TrueDivide) called as keras.ops calls it, with
     * two positional operands or a number among them — the merge layers of the same names take one list of tensors.
     */
    private static boolean opCall(String className, JsonNode nodes) {
        if (!Set.of("Add", "Subtract", "Multiply", "Divide", "TrueDivide").contains(className)) return false;
        JsonNode args = nodes != null && nodes.isArray() && !nodes.isEmpty() && nodes.get(0).isObject() ? nodes.get(0).get("args") : null;
        if (args == null || !args.isArray()) return false;
        if (args.size() >= 2) return true;
        for (JsonNode a : args) if (a.isNumber()) return true;
        return false;
    }

    /**
     * An operation layer's positional arguments of its first call, tensors replaced by {@code {"tensor": i}} (the
     * i-th tensor input) and constants as written: what the op computes with besides its tensors.
     */
    private static ArrayNode callArgs(JsonNode nodes) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        JsonNode args = nodes != null && nodes.isArray() && !nodes.isEmpty() ? nodes.get(0).get("args") : null;
        int[] tensor = {0};
        if (args != null && args.isArray()) for (JsonNode a : args) out.add(placeholders(a, tensor));
        return out;
    }

    private static JsonNode placeholders(JsonNode a, int[] tensor) {
        if (a.isObject() && "__keras_tensor__".equals(Json.text(a, "class_name")))
            return Json.object().put("tensor", tensor[0]++);
        if (a.isArray()) {
            ArrayNode o = Json.MAPPER.createArrayNode();
            for (JsonNode e : a) o.add(placeholders(e, tensor));
            return o;
        }
        return a;
    }

    /** Bidirectional: forward_&lt;name&gt; and backward_&lt;name&gt; copies of the wrapped layer; TimeDistributed: the layer. */
    private KerasGraph readWrapped(String canonical, ObjectNode cfg, String part, int depth) {
        JsonNode innerEnv = cfg.get("layer");
        if (innerEnv == null || !innerEnv.isObject()) throw bad(part + ".layer", "wrapper without its wrapped layer");
        LayerSpec wrapped = readLayer(innerEnv, List.of(), part + ".layer", depth + 1);
        if (canonical.equals("TimeDistributed"))
            return new KerasGraph("TimeDistributed", wrapped.name(), List.of(wrapped), List.of(), List.of());
        // names as Keras gives them (layers/rnn/bidirectional.py): forward_<name>, backward_<name>, prefixes not doubled
        LayerSpec forward = rename(wrapped, "forward_" + removePrefix(wrapped.name(), "forward_"));
        JsonNode backEnv = cfg.get("backward_layer");
        LayerSpec backward = backEnv != null && backEnv.isObject()
                ? readLayer(backEnv, List.of(), part + ".backward_layer", depth + 1)
                : mirrored(rename(wrapped, "backward_" + removePrefix(wrapped.name(), "backward_")));
        return new KerasGraph("Bidirectional", wrapped.name(), List.of(forward, backward), List.of(), List.of());
    }

    /**
     * RNN: its cell (an LSTMCell, GRUCell, SimpleRNNCell or StackedRNNCells) as the one inner layer; StackedRNNCells:
     * its cells in order. A missing or malformed cell is a malformed file.
     */
    private KerasGraph readCells(String canonical, String name, ObjectNode cfg, String part, int depth) {
        List<LayerSpec> cells = new ArrayList<>();
        if (canonical.equals("RNN")) {
            JsonNode env = cfg.get("cell");
            if (env == null || !env.isObject()) throw bad(part + ".cell", "RNN without its cell");
            cells.add(readLayer(env, List.of(), part + ".cell", depth + 1));
        } else {
            JsonNode list = cfg.get("cells");
            if (list == null || !list.isArray() || list.isEmpty()) throw bad(part + ".cells", "StackedRNNCells without its cells");
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).isObject()) throw bad(part + ".cells[" + i + "]", "a cell must be an object");
                cells.add(readLayer(list.get(i), List.of(), part + ".cells[" + i + "]", depth + 1));
            }
        }
        return new KerasGraph(canonical, name, cells, List.of(), List.of());
    }

    /** Without a backward_layer config, Keras builds the backward copy with go_backwards flipped (bidirectional.py). */
    private static LayerSpec mirrored(LayerSpec l) {
        ObjectNode cfg = l.config().deepCopy();
        cfg.put("go_backwards", !(cfg.has("go_backwards") && cfg.get("go_backwards").asBoolean(false)));
        return new LayerSpec(l.name(), l.className(), l.writtenClassName(), cfg, l.rawConfig(), l.trainable(),
                l.inboundNodes(), l.weights(), l.activityRegularizer(), l.inner(), l.synthesized());
    }

    private static String removePrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }

    private static LayerSpec rename(LayerSpec l, String newName) {
        return new LayerSpec(newName, l.className(), l.writtenClassName(), l.config(), l.rawConfig(), l.trainable(),
                l.inboundNodes(), l.weights(), l.activityRegularizer(), l.inner(), l.synthesized());
    }

    private final Map<String, Regularizer> regularizerMemo = new java.util.HashMap<>();
    private WeightLayout layout;

    /** The weight table bound to this reader (regularizers parsed once per layer and field, problems recorded once). */
    public WeightLayout weightLayout() {
        if (layout == null)
            layout = new WeightLayout((l, field) -> {
                String key = System.identityHashCode(l.config()) + "/" + l.name() + "/" + field;
                if (regularizerMemo.containsKey(key)) return regularizerMemo.get(key);
                Regularizer r = regularizer(l.config(), field, l.name(), l.writtenClassName());
                regularizerMemo.put(key, r);
                return r;
            });
        return layout;
    }

    /** Parses the regularizer in {@code field}; unknown ones are recorded, orthogonal ones noted. */
    Regularizer regularizer(JsonNode cfg, String field, String layer, String cls) {
        try {
            Regularizer r = RegularizerParser.parse(cfg.get(field));
            if (r instanceof Regularizer.Orthogonal)
                notes.add(new UnsupportedItem(layer, cls, field,
                        "OrthogonalRegularizer has no DL4J counterpart; training would ignore it"));
            return r;
        } catch (RegularizerParser.UnknownRegularizer e) {
            unknown.add(new UnsupportedItem(layer, e.className, field, e.getMessage()));
            return null;
        }
    }

    private void checkUniqueNames(List<LayerSpec> layers, String part) {
        Set<String> seen = new HashSet<>();
        for (LayerSpec l : layers)
            if (!seen.add(l.name())) throw bad(part, "two layers are named '" + l.name() + "'");
    }

    static String dtypeName(JsonNode dtype) {
        if (dtype == null || dtype.isNull()) return "float32";
        if (dtype.isTextual()) return dtype.asText();
        String n = Json.text(dtype.path("config"), "name"); // DTypePolicy / Policy
        return n == null ? "float32" : n;
    }

    private MalformedModelException bad(String part, String message) {
        return new MalformedModelException(file, part, message);
    }

    /** Keys whose value is a regularizer, per weight role, in every layer family (KERAS_FORMATS.md §5.4). */
    public static final Map<String, String> REGULARIZER_FIELD_BY_ROLE = Map.of(
            "kernel", "kernel_regularizer",
            "bias", "bias_regularizer",
            "recurrent_kernel", "recurrent_regularizer",
            "depthwise_kernel", "depthwise_regularizer",
            "pointwise_kernel", "pointwise_regularizer",
            "embeddings", "embeddings_regularizer",
            "gamma", "gamma_regularizer",
            "beta", "beta_regularizer",
            "alpha", "alpha_regularizer");
}
