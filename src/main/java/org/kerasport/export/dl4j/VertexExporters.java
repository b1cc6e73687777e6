package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;

/**
 * DL4J's parameter-free graph vertices as Keras layers, keyed by vertex configuration class: MergeVertex
 * (Concatenate on the channel or feature axis), ElementWiseVertex (Add, Subtract, Multiply, Average, Maximum),
 * ScaleVertex and ShiftVertex (Rescaling), ReshapeVertex (Reshape) and L2NormalizeVertex (UnitNormalization).
 */
public final class VertexExporters {
    /** Writes a vertex reading {@code in} into its entry; returns the output flow. */
    @FunctionalInterface
    interface VertexExporter {
        Flow export(GraphVertex v, List<Flow> in, Emit e);
    }

    /** Whether the Keras layer takes its inputs as one list (the merge layers). */
    private record Entry(VertexExporter exporter, boolean list) {
    }

    private static final Map<Class<? extends GraphVertex>, Entry> TABLE = new LinkedHashMap<>();

    static {
        put(MergeVertex.class, VertexExporters::concatenate, true);
        put(ElementWiseVertex.class, VertexExporters::elementWise, true);
        put(ScaleVertex.class, VertexExporters::rescaling, false);
        put(ShiftVertex.class, VertexExporters::rescaling, false);
        put(ReshapeVertex.class, VertexExporters::reshape, false);
        put(L2NormalizeVertex.class, VertexExporters::unitNormalization, false);
    }

    private VertexExporters() {
    }

    private static void put(Class<? extends GraphVertex> c, VertexExporter x, boolean list) {
        if (TABLE.putIfAbsent(c, new Entry(x, list)) != null) throw new IllegalStateException("two DL4J → Keras exporters for " + c.getName());
    }

    /** Whether {@code v} has a Keras counterpart. */
    public static boolean supports(GraphVertex v) {
        return TABLE.containsKey(v.getClass());
    }

    /** The simple names of the vertex classes that have one, for messages. */
    public static String supported() {
        return String.join(", ", TABLE.keySet().stream().map(Class::getSimpleName).toList());
    }

    /** Whether the Keras layer for {@code v} takes its inputs as one list. */
    public static boolean takesList(GraphVertex v) {
        return TABLE.get(v.getClass()).list();
    }

    /** Writes {@code v} (its entry opened) reading flows {@code in}; returns the output flow. */
    public static Flow export(GraphVertex v, List<Flow> in, Emit e) {
        Flow first = in.get(0);
        for (Flow sh : in)
            if (sh == null || sh.image() != first.image() || sh.sequence() != first.sequence() || sh.nchw() != first.nchw())
                e.problem(v.getClass().getSimpleName(), "inputs", "inputs of different kinds or layouts " + in);
        Flow out = TABLE.get(v.getClass()).exporter().export(v, in, e);
        e.entry().putNull("registered_name");
        return out;
    }

    /** DL4J: x / max(|x|, eps); Keras: x / max(|x|, 1e-6): the same for any vector whose norm is above both. */
    private static Flow unitNormalization(GraphVertex v, List<Flow> in, Emit e) {
        ObjectNode lc = e.config("UnitNormalization");
        lc.put("axis", -1);
        int[] dims = ((L2NormalizeVertex) v).getDimension();
        if (!in.get(0).flat() || dims != null && dims.length > 0 && !(dims.length == 1 && dims[0] == 1))
            e.problem("L2NormalizeVertex", "dimension", "only the normalization of feature vectors has a Keras counterpart here");
        return in.get(0);
    }

    /** x * scale + offset. */
    private static Flow rescaling(GraphVertex v, List<Flow> in, Emit e) {
        ObjectNode lc = e.config("Rescaling");
        lc.put("scale", v instanceof ScaleVertex sv ? sv.getScaleFactor() : 1.0);
        lc.put("offset", v instanceof ShiftVertex hv ? hv.getShiftFactor() : 0.0);
        return in.get(0);
    }

    /**
     * DL4J's new shape includes the batch dimension (-1); Keras' target shape does not. The result is read as DL4J's
     * layers read it: [batch, n] features, [batch, c, t] sequences, [batch, c, h, w] images.
     */
    private static Flow reshape(GraphVertex v, List<Flow> in, Emit e) {
        ReshapeVertex rv = (ReshapeVertex) v;
        int[] ns = rv.getNewShape();
        ObjectNode lc = e.config("Reshape");
        ArrayNode t = lc.putArray("target_shape");
        for (int d = 1; d < ns.length; d++) t.add(ns[d]);
        if (rv.getReshapeOrder() != 'c' || ns.length < 2 || ns.length > 4 || ns[0] > 0 || rv.getMaskShape() != null)
            e.problem("ReshapeVertex", "newShape", "only a row-major reshape of every example (new shape [-1, ...] of rank 2 to 4,"
                    + " no mask) has a Keras counterpart");
        return ns.length == 2 ? Flow.features(ns[1])
                : ns.length == 3 ? Flow.sequence(ns[1], true)
                : Flow.image(ns.length > 2 ? (long) ns[2] : null, ns.length > 3 ? (long) ns[3] : null, ns.length > 1 ? ns[1] : 0, true);
    }

    /** The channel axis: DL4J merges on dimension 1 (features, channels of NCHW/NCW) or the last one (NHWC/NWC). */
    private static Flow concatenate(GraphVertex v, List<Flow> in, Emit e) {
        Flow first = in.get(0);
        ObjectNode lc = e.config("Concatenate");
        boolean flat = !first.image() && !first.sequence();
        lc.put("axis", flat || !first.nchw() ? -1 : 1);
        long sum = 0;
        for (Flow sh : in) sum += flat ? sh.widthOrZero() : sh.channels();
        return flat ? Flow.features(sum) : new Flow(null, first.height(), first.imgWidth(), sum, first.nchw(), first.sequence());
    }

    private static Flow elementWise(GraphVertex v, List<Flow> in, Emit e) {
        var op = ((ElementWiseVertex) v).getOp();
        String cls = switch (op) {
            case Add -> "Add";
            case Subtract -> "Subtract";
            case Product -> "Multiply";
            case Average -> "Average";
            case Max -> "Maximum";
        };
        if (op == ElementWiseVertex.Op.Subtract && in.size() != 2)
            e.problem("ElementWiseVertex", "op", "Keras' Subtract takes exactly two inputs");
        e.config(cls);
        return in.get(0);
    }

    static List<Flow> flows(List<String> inputs, Map<String, Flow> flowOf) {
        List<Flow> in = new ArrayList<>();
        for (String i : inputs) in.add(flowOf.get(i));
        return in;
    }
}
