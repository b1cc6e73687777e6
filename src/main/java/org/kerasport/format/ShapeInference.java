package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.format.kinds.LayerKind;
import org.kerasport.format.kinds.LayerKinds;
import org.kerasport.format.kinds.Shapes;
import org.kerasport.model.InboundNode;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.TensorRef;

/**
 * Output shapes of a graph's layers (first call of each), for {@code inspect} and the mappers. Shapes use null for free
 * dimensions (the batch). Each class's rule is its {@link LayerKind}'s; a layer whose shape cannot be worked out from
 * its config gets null, never a guess.
 */
public final class ShapeInference {
    private ShapeInference() {
    }

    /** Layer name -> output shape (of its first call), null entries where unknown. */
    public static Map<String, Long[]> infer(KerasGraph g) {
        return infer(g, null);
    }

    private static Map<String, Long[]> infer(KerasGraph g, List<Long[]> inputShapes) {
        Map<String, Long[]> out = new HashMap<>();
        int nextInput = 0;
        for (LayerSpec l : g.layers()) {
            Long[] s;
            try {
                if (l.isInput()) {
                    s = inputShapes != null && nextInput < inputShapes.size() ? inputShapes.get(nextInput++) : shape(l.config().get("batch_shape"));
                } else {
                    List<Long[]> ins = new ArrayList<>();
                    if (!l.inboundNodes().isEmpty())
                        for (TensorRef r : l.inboundNodes().get(0).inputs()) ins.add(out.get(r.layer()));
                    else if (inputShapes != null && nextInput < inputShapes.size()) ins.add(inputShapes.get(nextInput++));
                    s = ins.isEmpty() || ins.contains(null) ? null : layer(l, ins);
                }
            } catch (RuntimeException e) {
                if (Boolean.getBoolean("kerasport.debugShapes")) e.printStackTrace();
                s = null; // a config this code does not understand: unknown, not a crash
            }
            out.put(l.name(), s);
        }
        return out;
    }

    /**
     * Output shape of a Keras element-wise merge (base_merge.py's _compute_elemwise_op_output_shape): the non-batch
     * axes aligned at the end, a size 1 taking the other size, a free axis staying free; null when they disagree.
     */
    public static Long[] broadcast(List<Long[]> ins) {
        return Shapes.broadcast(ins);
    }

    static Long[] shape(JsonNode n) {
        return Shapes.of(n);
    }

    /** Output shape of one layer call given its input shapes (null when unknown). */
    public static Long[] outputShape(LayerSpec l, List<Long[]> ins) {
        try {
            return ins.contains(null) ? null : layer(l, ins);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The rule of the layer's {@link LayerKind}; null when the class has none. */
    private static Long[] layer(LayerSpec l, List<Long[]> ins) {
        LayerKind kind = LayerKinds.get(l.className());
        return kind == null || kind.shape() == null ? null : kind.shape().outputShape(l, ins, INNER);
    }

    /** What the rules of wrappers and nested models ask for. */
    private static final Shapes.Inner INNER = new Shapes.Inner() {
        @Override
        public Long[] layer(LayerSpec inner, List<Long[]> inputs) {
            return ShapeInference.layer(inner, inputs);
        }

        @Override
        public Long[] model(KerasGraph graph, List<Long[]> inputs) {
            Map<String, Long[]> inner = infer(graph, inputs);
            List<TensorRef> outs = graph.outputs();
            return outs.isEmpty() ? null : inner.get(outs.get(outs.size() - 1).layer());
        }
    };

    /** Helper for callers that print a node's inputs. */
    public static List<TensorRef> firstCallInputs(LayerSpec l) {
        List<InboundNode> n = l.inboundNodes();
        return n.isEmpty() ? List.of() : n.get(0).inputs();
    }
}
