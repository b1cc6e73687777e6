package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasOpVertex;
import org.kerasport.format.Json;
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
        return List.of(new Arithmetic(), new Numeric(), new CustomScale());
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

    static final Set<String> ARITHMETIC = Set.of("ops.numpy.Add", "ops.numpy.Subtract", "ops.numpy.Multiply",
            "ops.numpy.Divide", "ops.numpy.TrueDivide");

    /**
     * Comparisons of a tensor with a number, logical not, casts and reductions over axes other than the batch
     * ({@link KerasOpVertex}; booleans as 1/0, without gradient as in Keras). Keras writes NotEqual and Any itself for
     * the masks of Embedding(mask_zero=True) and Masking.
     */
    public static final class Numeric implements LayerMapper {
        @Override
        public Set<String> classNames() {
            Set<String> s = new java.util.HashSet<>(LayerCatalog.OPS);
            s.removeAll(ARITHMETIC);
            return Set.copyOf(s);
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            String cls = l.className().substring(l.className().lastIndexOf('.') + 1);
            JsonNode args = l.config().get(LayerCatalog.CALL_ARGS);
            Long[] in = inputs.size() == 1 ? ctx.shape(inputs.get(0)) : null;
            if (in == null || args == null || !args.isArray() || args.isEmpty() || !args.get(0).has("tensor")) {
                ctx.unsupported(l, "args", "operation " + cls + " is supported on one tensor (and a number)");
                return null;
            }
            String op = switch (cls) {
                case "NotEqual" -> "not_equal";
                case "Equal" -> "equal";
                case "Greater" -> "greater";
                case "GreaterEqual" -> "greater_equal";
                case "Less" -> "less";
                case "LessEqual" -> "less_equal";
                case "LogicalNot" -> "logical_not";
                case "Any" -> "any";
                case "All" -> "all";
                case "Sum" -> "sum";
                case "Mean" -> "mean";
                case "Max" -> "max";
                case "Min" -> "min";
                case "Cast" -> castOp(Json.text(l.config(), "dtype"));
                default -> null;
            };
            if (op == null) {
                ctx.unsupported(l, "dtype", "operation " + cls + " to " + Json.text(l.config(), "dtype") + " is not supported");
                return null;
            }
            double c = 0;
            if (Set.of("not_equal", "equal", "greater", "greater_equal", "less", "less_equal").contains(op)) {
                if (args.size() != 2 || !args.get(1).isNumber()) {
                    ctx.unsupported(l, "args", "operation " + cls + " of a tensor and " + (args.size() == 2 ? args.get(1) : "nothing")
                            + " is not supported yet (only a number)");
                    return null;
                }
                c = args.get(1).asDouble();
            } else if (args.size() != 1) {
                ctx.unsupported(l, "args", "operation " + cls + " with " + args.size() + " positional arguments is not supported");
                return null;
            }
            int[] axes = null;
            boolean keep = false;
            Long[] out = in;
            if (Set.of("any", "all", "sum", "mean", "max", "min").contains(op)) {
                JsonNode a = l.config().get("axis");
                if (a == null || a.isNull()) {
                    ctx.unsupported(l, "axis", "operation " + cls + " over every axis (the batch axis too) is not supported");
                    return null;
                }
                if (Json.isPresent(l.config(), "initial")) {
                    ctx.unsupported(l, "initial", "operation " + cls + " with an initial value is not supported");
                    return null;
                }
                axes = a.isArray() ? new int[a.size()] : new int[]{a.asInt()};
                if (a.isArray()) for (int i = 0; i < axes.length; i++) axes[i] = a.get(i).asInt();
                java.util.Set<Integer> reduced = new java.util.HashSet<>();
                for (int ax : axes) {
                    int n = ax < 0 ? ax + in.length : ax;
                    if (n <= 0 || n >= in.length) {
                        ctx.unsupported(l, "axis", "operation " + cls + " over axis " + ax + " (the batch axis or none) is not supported");
                        return null;
                    }
                    reduced.add(n);
                }
                keep = Json.isPresent(l.config(), "keepdims") && l.config().get("keepdims").asBoolean();
                List<Long> o = new java.util.ArrayList<>();
                for (int i = 0; i < in.length; i++)
                    if (!reduced.contains(i)) o.add(in[i]);
                    else if (keep) o.add(1L);
                out = o.toArray(new Long[0]);
                if (out.length < 2) {
                    ctx.unsupported(l, "axis", "operation " + cls + " leaving only the batch axis is not supported yet");
                    return null;
                }
            }
            ctx.addVertex(vertex, new KerasOpVertex(op, c, axes, keep, Masks.withoutBatch(out)), out, inputs);
            return vertex;
        }

        private static String castOp(String dtype) {
            if (dtype == null) return null;
            if (dtype.equals("bool")) return "cast_bool";
            if (dtype.startsWith("float") || dtype.equals("bfloat16")) return "cast_float";
            if (dtype.startsWith("int") || dtype.startsWith("uint")) return "cast_int";
            return null;
        }
    }

    public static final class Arithmetic implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return ARITHMETIC;
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
