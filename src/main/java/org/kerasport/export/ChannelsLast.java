package org.kerasport.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kerasport.format.Json;

/**
 * Rewrites a generated Keras model config so that every layer with a {@code data_format} runs channels-last, with
 * {@code Permute} layers where a tensor crosses between the two layouts: DL4J builds images and sequences
 * channels-first (NCHW, NCW, NCDHW) by default, and a Keras model that says {@code channels_first} is correct Keras
 * but does not run on TensorFlow's CPU kernels unless TensorFlow was built with (and turned on) oneDNN — which it
 * does by itself only on some Intel CPUs ("The Conv2D op currently only supports the NHWC tensor format on the CPU").
 *
 * <p>The model's inputs and outputs keep DL4J's layout (same values, same shapes); inside, a channels-first tensor is
 * held transposed ("permuted") from the first layer that wants channels-last until a layer that depends on the
 * layout reads it, where one Permute restores it. Kernels and every other weight are laid out the same way for
 * either data format in Keras, so no weight changes. Per layer:
 * <ul>
 *   <li>a layer with {@code data_format: channels_first} gets {@code channels_last} and a permuted input; its output
 *       is permuted (global pooling without {@code keepdims}: a flat vector, the same either way);</li>
 *   <li>BatchNormalization on axis 1 and Concatenate on axis 1 of permuted tensors use the last axis instead;</li>
 *   <li>element-wise layers (Activation, Dropout, ReLU, the merges but Concatenate, Rescaling) take permuted inputs
 *       as they are (all of a merge's inputs in the same layout);</li>
 *   <li>every other layer, and every model output, reads the tensor in its original layout.</li>
 * </ul>
 */
final class ChannelsLast {
    /** Layers computing each element from the same element of their inputs, whatever the layout. */
    private static final Set<String> ELEMENTWISE = Set.of("Activation", "Dropout", "ReLU", "LeakyReLU", "ELU",
            "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Rescaling", "GaussianNoise", "GaussianDropout");

    private ChannelsLast() {
    }

    /** Rank (batch included) of the tensor a channels-first layer class reads. */
    private static int rankOf(String className) {
        if (className.contains("1D")) return 3;
        if (className.contains("3D")) return 5;
        return 4;
    }

    /** Permute dims (1-based, batch excluded) from channels-first to channels-last, or back. */
    private static ArrayNode dims(int rank, boolean toLast) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        int k = rank - 1;
        if (toLast) {
            for (int d = 2; d <= k; d++) a.add(d);
            a.add(1);
        } else {
            a.add(k);
            for (int d = 1; d < k; d++) a.add(d);
        }
        return a;
    }

    private static boolean channelsFirst(JsonNode cfg) {
        return "channels_first".equals(Json.text(cfg, "data_format"));
    }

    private static boolean axisOne(JsonNode cfg) {
        JsonNode a = cfg.get("axis");
        if (a == null) return false;
        if (a.isArray()) return a.size() == 1 && a.get(0).asInt() == 1;
        return a.asInt() == 1;
    }

    /**
     * Rewrites a Sequential model's {@code layers} (a chain, the first the InputLayer) in place; true when anything
     * changed.
     */
    static boolean sequential(ArrayNode layers) {
        if (!any(layers)) return false;
        List<JsonNode> out = new ArrayList<>();
        Set<String> names = names(layers);
        int permuted = 0; // rank of the current tensor while it is held channels-last, else 0
        for (JsonNode n : layers) {
            ObjectNode l = (ObjectNode) n;
            String cls = l.get("class_name").asText();
            ObjectNode cfg = (ObjectNode) l.get("config");
            Decision d = decide(cls, cfg, permuted == 0 ? List.of() : List.of(permuted), List.of(rankIfFirst(cls, cfg)));
            if (d.permuteIn() != 0 && permuted == 0) out.add(permute(cfg.get("name").asText(), d.permuteIn(), true, names));
            if (d.restoreIn() && permuted != 0) out.add(permute(cfg.get("name").asText(), permuted, false, names));
            out.add(l);
            permuted = d.outRank();
        }
        if (permuted != 0) out.add(permute("output", permuted, false, names));
        layers.removeAll();
        layers.addAll(out);
        return true;
    }

    /**
     * Rewrites a Functional model's {@code layers} (each with its {@code inbound_nodes}, one call each) in place, and
     * returns the output layer names (a permuted output gets a Permute back after it). The caller puts the layers in
     * Keras' order again.
     */
    static List<String> functional(ArrayNode layers, List<String> outputs) {
        if (!any(layers)) return outputs;
        Set<String> names = names(layers);
        Map<String, ObjectNode> byName = new HashMap<>();
        for (JsonNode n : layers) byName.put(n.get("name").asText(), (ObjectNode) n);
        // a layer's output held channels-last: its rank; and, made once, its Permute to either layout
        Map<String, Integer> permutedRank = new HashMap<>();
        Map<String, String> restored = new HashMap<>(), toLast = new HashMap<>();
        List<ObjectNode> added = new ArrayList<>();
        for (String n : topological(layers, byName)) {
            ObjectNode l = byName.get(n);
            String cls = l.get("class_name").asText();
            ObjectNode cfg = (ObjectNode) l.get("config");
            if (cls.equals("InputLayer")) continue;
            List<ObjectNode> ins = inputTensors(l);
            List<Integer> ranks = new ArrayList<>();
            for (ObjectNode t : ins) ranks.add(permutedRank.getOrDefault(source(t), 0));
            List<Integer> known = new ArrayList<>();
            for (int r : ranks) if (r != 0) known.add(r);
            Decision d = decide(cls, cfg, known, List.of(rankIfFirst(cls, cfg)));
            for (int i = 0; i < ins.size(); i++) {
                String src = source(ins.get(i));
                int r = ranks.get(i);
                if (d.permuteIn() != 0 && r == 0) {
                    String p = toLast.computeIfAbsent(src, s -> add(added, names, s, d.permuteIn(), true));
                    repoint(ins.get(i), p);
                } else if (d.restoreIn() && r != 0) {
                    String p = restored.computeIfAbsent(src, s -> add(added, names, s, r, false));
                    repoint(ins.get(i), p);
                }
            }
            if (d.outRank() != 0) permutedRank.put(n, d.outRank());
        }
        List<String> outs = new ArrayList<>();
        for (String o : outputs) {
            Integer r = permutedRank.get(o);
            outs.add(r == null ? o : restored.computeIfAbsent(o, s -> add(added, names, s, r, false)));
        }
        for (ObjectNode a : added) layers.add(a);
        return outs;
    }

    /** What one layer needs: its inputs channels-last (their rank), or restored; and its output's rank if permuted. */
    private record Decision(int permuteIn, boolean restoreIn, int outRank) {
    }

    private static int rankIfFirst(String cls, JsonNode cfg) {
        return channelsFirst(cfg) ? rankOf(cls) : 0;
    }

    /**
     * @param permuted ranks of the inputs currently held channels-last (empty when none is)
     * @param own      the rank a channels-first layer reads (0 for other layers)
     */
    private static Decision decide(String cls, ObjectNode cfg, List<Integer> permuted, List<Integer> own) {
        int rank = own.get(0);
        if (rank != 0) {
            cfg.put("data_format", "channels_last");
            boolean flat = cls.startsWith("Global") && !cfg.path("keepdims").asBoolean(false);
            return new Decision(rank, false, flat ? 0 : rank);
        }
        if (permuted.isEmpty()) return new Decision(0, false, 0);
        int r = permuted.get(0);
        if ((cls.equals("BatchNormalization") || cls.equals("Concatenate")) && axisOne(cfg)) {
            cfg.put("axis", -1);
            return new Decision(r, false, r);
        }
        if (ELEMENTWISE.contains(cls)) return new Decision(r, false, r);
        return new Decision(0, true, 0);
    }

    private static boolean any(ArrayNode layers) {
        for (JsonNode l : layers) if (channelsFirst(l.path("config"))) return true;
        return false;
    }

    private static Set<String> names(ArrayNode layers) {
        Set<String> s = new HashSet<>();
        for (JsonNode l : layers) s.add(l.path("config").path("name").asText());
        return s;
    }

    private static String unique(String base, Set<String> names) {
        String n = base;
        for (int i = 1; names.contains(n); i++) n = base + "_" + i;
        names.add(n);
        return n;
    }

    private static ObjectNode permute(String after, int rank, boolean toLast, Set<String> names) {
        String name = unique(after + (toLast ? "_to_channels_last" : "_to_channels_first"), names);
        ObjectNode p = Json.object().put("module", "keras.layers").put("class_name", "Permute");
        ObjectNode c = p.putObject("config").put("name", name).put("trainable", true).put("dtype", "float32");
        c.set("dims", dims(rank, toLast));
        p.putNull("registered_name");
        return p;
    }

    /** A Functional Permute layer reading {@code source}'s output; returns its name. */
    private static String add(List<ObjectNode> added, Set<String> names, String source, int rank, boolean toLast) {
        ObjectNode p = permute(source, rank, toLast, names);
        String name = p.get("config").get("name").asText();
        p.put("name", name);
        ObjectNode node = p.putArray("inbound_nodes").addObject();
        ObjectNode t = node.putArray("args").addObject().put("class_name", "__keras_tensor__");
        ObjectNode tc = t.putObject("config");
        tc.putArray("shape").addNull();
        tc.put("dtype", "float32");
        tc.putArray("keras_history").add(source).add(0).add(0);
        node.putObject("kwargs");
        added.add(p);
        return name;
    }

    private static List<ObjectNode> inputTensors(JsonNode layer) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode node : layer.path("inbound_nodes")) collect(node.get("args"), out);
        return out;
    }

    private static void collect(JsonNode n, List<ObjectNode> out) {
        if (n == null) return;
        if (n.isArray()) for (JsonNode c : n) collect(c, out);
        else if (n.isObject() && n.path("config").has("keras_history")) out.add((ObjectNode) n);
    }

    private static String source(ObjectNode tensor) {
        return tensor.get("config").get("keras_history").get(0).asText();
    }

    private static void repoint(ObjectNode tensor, String layer) {
        ArrayNode h = (ArrayNode) tensor.get("config").get("keras_history");
        h.set(0, Json.MAPPER.getNodeFactory().textNode(layer));
        h.set(1, Json.MAPPER.getNodeFactory().numberNode(0));
        h.set(2, Json.MAPPER.getNodeFactory().numberNode(0));
    }

    /** The layers in an order where each comes after every layer it reads. */
    private static List<String> topological(ArrayNode layers, Map<String, ObjectNode> byName) {
        List<String> order = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode l : layers) visit(l.get("name").asText(), byName, seen, order);
        return order;
    }

    private static void visit(String n, Map<String, ObjectNode> byName, Set<String> seen, List<String> order) {
        if (!seen.add(n) || !byName.containsKey(n)) return;
        for (ObjectNode t : inputTensors(byName.get(n))) visit(source(t), byName, seen, order);
        order.add(n);
    }
}
