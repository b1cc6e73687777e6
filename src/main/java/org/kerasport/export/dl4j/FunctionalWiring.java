package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kerasport.format.Json;

/** The inbound nodes of a generated Functional model, and its layers in the order Keras 3 gives them. */
public final class FunctionalWiring {
    private FunctionalWiring() {
    }

    /**
     * Functional wiring for the Keras layers emitted for one DL4J vertex (from index {@code from} on): the first reads
     * the vertex's inputs (a list of tensors for a merge layer), each further one the layer before it.
     */
    public static void wire(ArrayNode layers, int from, List<String> inputs, Map<String, String> kerasOut, Map<String, Flow> flowOf,
                            boolean list) {
        for (int j = from; j < layers.size(); j++) {
            ObjectNode e = (ObjectNode) layers.get(j);
            e.put("name", e.get("config").get("name").asText());
            ArrayNode args = e.putArray("inbound_nodes").addObject().putArray("args");
            if (j == from) {
                ArrayNode target = list ? args.addArray() : args;
                for (String in : inputs) target.add(tensor(kerasOut.get(in), flowOf.get(in)));
            } else {
                args.add(tensor(layers.get(j - 1).get("name").asText(), null));
            }
            ((ObjectNode) e.get("inbound_nodes").get(0)).putObject("kwargs");
        }
    }

    /**
     * Puts the Functional layers in the order Keras 3 gives {@code model.layers} (keras/src/ops/function.py map_graph:
     * by depth from the outputs, deepest first, ties in the order a depth-first walk from the outputs first meets
     * them), which is the order the weight file's entries must follow.
     */
    public static void kerasOrder(ArrayNode layers, List<String> inputs, List<String> outputs) {
        Map<String, ObjectNode> byName = new LinkedHashMap<>();
        Map<String, List<String>> parents = new HashMap<>();
        for (var e : layers) {
            String n = e.get("name").asText();
            byName.put(n, (ObjectNode) e);
            List<String> ps = new ArrayList<>();
            for (var node : e.get("inbound_nodes")) collectHistory(node.get("args"), ps);
            parents.put(n, ps);
        }
        Map<String, Integer> index = new HashMap<>();
        List<String> post = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String o : outputs) visit(o, parents, index, post, done);
        Map<String, Integer> depth = new HashMap<>();
        for (int i = post.size() - 1; i >= 0; i--) {
            String n = post.get(i);
            int d = depth.computeIfAbsent(n, x -> 0);
            for (String p : parents.get(n)) depth.merge(p, d + 1, Math::max);
        }
        for (String in : inputs)
            if (!depth.containsKey(in)) {
                depth.put(in, 0);
                index.put(in, -1);
            }
        List<String> order = new ArrayList<>(depth.keySet());
        order.sort(Comparator.<String>comparingInt(depth::get).reversed().thenComparingInt(index::get));
        for (String n : byName.keySet()) if (!depth.containsKey(n)) order.add(n); // not on the way to an output
        layers.removeAll();
        for (String n : order) layers.add(byName.get(n));
    }

    private static void visit(String n, Map<String, List<String>> parents, Map<String, Integer> index, List<String> post, Set<String> done) {
        if (done.contains(n) || !parents.containsKey(n)) return;
        index.putIfAbsent(n, index.size());
        for (String p : parents.get(n)) visit(p, parents, index, post, done);
        done.add(n);
        post.add(n);
    }

    private static void collectHistory(JsonNode n, List<String> out) {
        if (n == null) return;
        if (n.isArray()) for (var c : n) collectHistory(c, out);
        else if (n.isObject() && n.has("config") && n.get("config").has("keras_history"))
            out.add(n.get("config").get("keras_history").get(0).asText());
    }

    /** A Keras 3 {@code __keras_tensor__} reference to a layer's output (Keras replaces it by the real tensor). */
    private static ObjectNode tensor(String layer, Flow shape) {
        ObjectNode t = Json.object().put("class_name", "__keras_tensor__");
        ObjectNode c = t.putObject("config");
        ArrayNode sh = c.putArray("shape");
        sh.addNull();
        if (shape == null) sh.addNull();
        else if (shape.volume()) {
            if (shape.nchw()) sh.add(shape.channels());
            nullable(sh, shape.depth());
            nullable(sh, shape.height());
            nullable(sh, shape.imgWidth());
            if (!shape.nchw()) sh.add(shape.channels());
        } else if (!shape.image() && !shape.sequence()) sh.add(shape.width());
        else if (shape.sequence()) {
            if (shape.nchw()) sh.add(shape.channels()).addNull();
            else sh.addNull().add(shape.channels());
        } else if (shape.nchw()) {
            sh.add(shape.channels());
            nullable(sh, shape.height());
            nullable(sh, shape.imgWidth());
        } else {
            nullable(sh, shape.height());
            nullable(sh, shape.imgWidth());
            sh.add(shape.channels());
        }
        c.put("dtype", "float32");
        c.putArray("keras_history").add(layer).add(0).add(0);
        return t;
    }

    private static void nullable(ArrayNode a, Long v) {
        if (v == null) a.addNull();
        else a.add(v);
    }
}
