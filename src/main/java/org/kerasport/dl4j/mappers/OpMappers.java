package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.format.LayerCatalog;
import org.kerasport.model.LayerSpec;

/**
 * Keras 3 operation layers: a {@code keras.ops} call on a symbolic tensor, which Keras saves as a layer of the op's
 * class with the call's arguments in its inbound node (keras.applications' MobileNetV3 computes its hard sigmoid as
 * {@code ReLU(6)(x + 3.0) * (1/6)}: two such layers). Arithmetic of two tensors is the merge layer of the same name
 * (Keras' broadcasting, {@link CoreMappers.Merge}); arithmetic of a tensor and a number is a DL4J shift or scale:
 * {@code x + c}, {@code x - c}, {@code c - x}, {@code x * c}, {@code x / c} (as x·(1/c): at most one rounding
 * apart from TensorFlow's division). Other operands (arrays, {@code c / x}) are refused by name.
 */
public final class OpMappers {
    private OpMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new Arithmetic(), new CustomScale());
    }

    /** keras.applications' InceptionResNetV2 residual: {@code inputs[0] + inputs[1] * scale} (same shapes). */
    public static final class CustomScale implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("CustomScaleLayer");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode scale = l.config().get("scale");
            Long[] a = inputs.size() == 2 ? ctx.shape(inputs.get(0)) : null, b = a == null ? null : ctx.shape(inputs.get(1));
            if (scale == null || !scale.isNumber() || a == null || !java.util.Arrays.equals(a, b)) {
                ctx.unsupported(l, "inputs", "CustomScaleLayer adds a scaled second input to a first of the same shape"
                        + " (keras.applications' InceptionResNetV2); this call has other inputs or no numeric scale");
                return null;
            }
            ctx.addVertex(vertex + "__scaled", new ScaleVertex(scale.asDouble()), b, List.of(inputs.get(1)));
            ctx.addVertex(vertex, new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                    org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), a, List.of(inputs.get(0), vertex + "__scaled"));
            return vertex;
        }
    }

    public static final class Arithmetic implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("ops.numpy.Add", "ops.numpy.Subtract", "ops.numpy.Multiply", "ops.numpy.Divide",
                    "ops.numpy.TrueDivide");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            String op = l.className().substring(l.className().lastIndexOf('.') + 1);
            JsonNode args = l.config().get(LayerCatalog.CALL_ARGS);
            if (args == null || !args.isArray() || args.size() != 2) {
                ctx.unsupported(l, "args", "operation " + op + " with " + (args == null ? "no" : args.size()) + " arguments");
                return null;
            }
            boolean firstTensor = args.get(0).has("tensor"), secondTensor = args.get(1).has("tensor");
            if (firstTensor && secondTensor) {
                String merge = switch (op) {
                    case "Add" -> "Add";
                    case "Subtract" -> "Subtract";
                    case "Multiply" -> "Multiply";
                    default -> null;
                };
                if (merge == null) {
                    ctx.unsupported(l, "args", "operation " + op + " of two tensors is not supported yet");
                    return null;
                }
                LayerSpec asMerge = new LayerSpec(l.name(), merge, l.writtenClassName(), l.config(), l.rawConfig(), l.trainable(),
                        l.inboundNodes(), l.weights(), l.activityRegularizer(), l.inner(), l.synthesized());
                return new CoreMappers.Merge().map(asMerge, vertex, inputs, ctx);
            }
            JsonNode constant = firstTensor ? args.get(1) : args.get(0);
            if (!constant.isNumber() || inputs.size() != 1) {
                ctx.unsupported(l, "args", "operation " + op + " with the operand " + constant + " (only a number or a tensor) is not supported yet");
                return null;
            }
            double c = constant.asDouble();
            Long[] shape = ctx.shape(inputs.get(0));
            switch (op) {
                case "Add" -> ctx.addVertex(vertex, new ShiftVertex(c), shape, inputs);
                case "Multiply" -> ctx.addVertex(vertex, new ScaleVertex(c), shape, inputs);
                case "Subtract" -> {
                    if (firstTensor) ctx.addVertex(vertex, new ShiftVertex(-c), shape, inputs);
                    else {
                        ctx.addVertex(vertex + "__neg", new ScaleVertex(-1), shape, inputs);
                        ctx.addVertex(vertex, new ShiftVertex(c), shape, List.of(vertex + "__neg"));
                    }
                }
                default -> { // Divide, TrueDivide
                    if (!firstTensor) {
                        ctx.unsupported(l, "args", "operation " + op + " of a number by a tensor is not supported yet");
                        return null;
                    }
                    ctx.addVertex(vertex, new ScaleVertex(1.0 / c), shape, inputs);
                }
            }
            return vertex;
        }
    }
}
