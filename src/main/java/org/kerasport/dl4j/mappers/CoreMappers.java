package org.kerasport.dl4j.mappers;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.LossMapper;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasMergeVertex;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.LossSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** Core Keras layers: Dense, Activation, the dropout and noise family, Flatten, Reshape, and the merge layers. */
public final class CoreMappers {
    private CoreMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new Dense(), new Activation(), new DropoutFamily(), new Reshaping(), new Merge());
    }

    /**
     * Keras Dense on a 2-D input: DL4J DenseLayer, or an OutputLayer carrying the loss when it is a model output; on a
     * 3-D to 5-D input one Dense on the last axis ({@link RecurrentMappers#denseOnSequence}).
     */
    public static final class Dense implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Dense");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            if (in != null && in.length >= 3) return RecurrentMappers.denseOnSequence(l, vertex, inputs, ctx);
            if (in == null || in.length != 2) {
                ctx.unsupported(l, "input", "Dense on a " + (in == null ? "?" : in.length) + "-D input is not supported yet (only [batch, features])");
                return null;
            }
            long units = l.config().get("units").asLong();
            IActivation act = ctx.activation(l, "activation");
            WeightSpec kernel = l.weight("kernel").orElse(null), bias = l.weight("bias").orElse(null);
            LossSpec loss = ctx.lossIfOutput(l);
            ILossFunction lossFn = loss == null ? null : LossMapper.map(loss, ctx.lossWeight(l.name()));
            org.deeplearning4j.nn.conf.layers.Layer layer;
            if (lossFn != null) {
                layer = org.kerasport.dl4j.layers.KerasOutputLayer.of((OutputLayer) new OutputLayer.Builder(lossFn).nIn(in[1]).nOut(units).activation(act)
                        .hasBias(bias != null).regularization(ctx.regularization(kernel)).regularizationBias(ctx.regularization(bias)).build());
                ctx.fusedOutput(l.name(), vertex);
            } else {
                layer = org.kerasport.dl4j.layers.KerasDense.of((DenseLayer) new DenseLayer.Builder().nIn(in[1]).nOut(units).activation(act)
                        .hasBias(bias != null).regularization(ctx.regularization(kernel))
                        .regularizationBias(ctx.regularization(bias)).build());
            }
            ctx.addLayer(vertex, layer, l.trainable(), new Long[]{in[0], units}, inputs);
            ctx.bind("kernel", vertex, "W", Layout.SAME);
            if (bias != null) ctx.bind("bias", vertex, "b", Layout.SAME);
            return vertex;
        }
    }

    public static final class Activation implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Activation", "ReLU", "Softmax", "LeakyReLU", "ELU");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            IActivation act = switch (l.className()) {
                case "Activation" -> ctx.activation(l, "activation");
                case "Softmax" -> new org.nd4j.linalg.activations.impl.ActivationSoftmax();
                case "LeakyReLU" -> new org.nd4j.linalg.activations.impl.ActivationLReLU(slope(l));
                case "ELU" -> new org.kerasport.dl4j.activation.ActivationKerasElu(value(l, "alpha", 1.0));
                default -> !Json.isPresent(l.config(), "max_value") && value(l, "threshold", 0.0) == 0.0
                        && value(l, "negative_slope", 0.0) == 0.0 ? new org.kerasport.dl4j.activation.KerasReLU()
                        : new org.nd4j.linalg.activations.impl.ActivationReLU(
                        Json.isPresent(l.config(), "max_value") ? l.config().get("max_value").asDouble() : null,
                        value(l, "threshold", 0.0), value(l, "negative_slope", 0.0));
            };
            if (l.className().equals("Softmax") && l.config().has("axis") && l.config().get("axis").asInt(-1) != -1) {
                ctx.unsupported(l, "axis", "Softmax over an axis other than the last is not supported yet");
                return null;
            }
            ctx.addLayer(vertex, new ActivationLayer.Builder().activation(act).build(), true, ctx.shape(inputs.get(0)), inputs);
            return vertex;
        }

        private static double slope(LayerSpec l) {
            if (l.config().has("negative_slope")) return l.config().get("negative_slope").asDouble(); // Keras 3
            return value(l, "alpha", 0.3);                                                             // Keras 2
        }

        private static double value(LayerSpec l, String f, double dflt) {
            return Json.isPresent(l.config(), f) ? l.config().get(f).asDouble() : dflt;
        }
    }

    /**
     * Dropout and noise layers: identity at inference; Dropout drops in training (DL4J's inverted dropout), the noise layers
     * stay the identity (named in the notes). ActivityRegularization: the identity with its penalty in training.
     */
    public static final class DropoutFamily implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            if (l.className().equals("ActivityRegularization")) { // the penalty of its l1/l2 on the input, in training
                double l1 = l.config().path("l1").asDouble(0), l2 = l.config().path("l2").asDouble(0);
                return l1 == 0 && l2 == 0 ? inputs.get(0)
                        : org.kerasport.dl4j.Dl4jImporter.activityPenalty(l, vertex, inputs.get(0), l1, l2, "ActivityRegularization", ctx);
            }
            double rate = l.config().has("rate") ? l.config().get("rate").asDouble() : 0.0;
            if (l.className().equals("Dropout") && rate > 0) {
                ctx.addLayer(vertex, new DropoutLayer.Builder().dropOut(new Dropout(1.0 - rate)).build(), true,
                        ctx.shape(inputs.get(0)), inputs);
                return vertex;
            }
            if (rate > 0 || l.className().startsWith("Gaussian") || l.className().equals("AlphaDropout"))
                ctx.note(l.name() + " (" + l.className() + "): identity in this graph; its training-time noise is not reproduced");
            return inputs.get(0); // identity at inference: no vertex needed
        }
    }

    public static final class Reshaping implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Flatten", "Reshape");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            Long[] out = ctx.outputShape(l, inputs);
            if (in != null && in.length == 2 && l.className().equals("Flatten")) return inputs.get(0);
            if (out == null) {
                ctx.unsupported(l, "shape", "output shape cannot be worked out");
                return null;
            }
            if (l.className().equals("Flatten") && in != null && in.length > 2 && "channels_first".equals(Json.text(l.config(), "data_format"))) {
                ctx.unsupported(l, "data_format", "Flatten with data_format 'channels_first' is not supported yet");
                return null;
            }
            // C-order reshape of each example; the output type is the channels-last layout of the Keras shape
            long[] target = new long[out.length - 1];
            for (int i = 1; i < out.length; i++) target[i - 1] = out[i] == null ? -1 : out[i];
            ctx.addVertex(vertex, new org.kerasport.dl4j.layers.KerasReshapeVertex(target), out, inputs);
            return vertex;
        }
    }

    /**
     * The merge layers. DL4J's MergeVertex (Concatenate of [batch, features]) and ElementWiseVertex (inputs of one
     * known shape) where they compute what Keras computes; {@link KerasMergeVertex} for every other axis, rank and
     * broadcast, and for Minimum.
     */
    public static final class Merge implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            List<Long[]> ins = new java.util.ArrayList<>();
            for (String i : inputs) {
                Long[] s = ctx.shape(i);
                if (s == null) {
                    ctx.unsupported(l, "inputs", "the shapes of its inputs cannot be worked out");
                    return null;
                }
                ins.add(s);
            }
            Long[] shape = ctx.outputShape(l, inputs);
            if (shape == null) {
                ctx.unsupported(l, "inputs", "input shapes " + shapes(ins) + " do not " + (l.className().equals("Concatenate")
                        ? "agree except on the concatenation axis" : "broadcast together"));
                return null;
            }
            if (shape.length > 5) {
                ctx.unsupported(l, "inputs", "tensors of rank " + shape.length + " (more than 4 axes besides the batch) are not supported yet");
                return null;
            }
            if (l.className().equals("Concatenate")) {
                int axis = l.config().has("axis") ? l.config().get("axis").asInt() : -1;
                int ax = axis < 0 ? axis + shape.length : axis;
                for (Long[] s : ins) if (s.length != shape.length) ax = -1;
                if (ax <= 0 || ax >= shape.length) {
                    ctx.unsupported(l, "axis", "Concatenate needs inputs of one rank and an axis other than the batch axis; got axis "
                            + axis + " of " + shapes(ins));
                    return null;
                }
                if (shape.length == 2) ctx.addVertex(vertex, new MergeVertex(), shape, inputs);
                else ctx.addVertex(vertex, new KerasMergeVertex("concat", ax, sizes(shape)), shape, inputs);
                return vertex;
            }
            if (l.className().equals("Subtract") && inputs.size() != 2) {
                ctx.unsupported(l, "inputs", "Subtract takes exactly 2 inputs, got " + inputs.size());
                return null;
            }
            boolean same = true;
            for (Long[] s : ins) same &= java.util.Arrays.equals(java.util.Arrays.copyOfRange(s, 1, s.length),
                    java.util.Arrays.copyOfRange(shape, 1, shape.length));
            if (same && !l.className().equals("Minimum")) {
                ElementWiseVertex.Op op = switch (l.className()) {
                    case "Add" -> ElementWiseVertex.Op.Add;
                    case "Subtract" -> ElementWiseVertex.Op.Subtract;
                    case "Multiply" -> ElementWiseVertex.Op.Product;
                    case "Average" -> ElementWiseVertex.Op.Average;
                    default -> ElementWiseVertex.Op.Max;
                };
                ctx.addVertex(vertex, new ElementWiseVertex(op), shape, inputs);
                return vertex;
            }
            ctx.addVertex(vertex, new KerasMergeVertex(l.className().toLowerCase(java.util.Locale.ROOT), 0, sizes(shape)), shape, inputs);
            return vertex;
        }

        private static long[] sizes(Long[] shape) {
            long[] r = new long[shape.length];
            for (int i = 0; i < r.length; i++) r[i] = shape[i] == null ? -1 : shape[i];
            return r;
        }

        private static String shapes(List<Long[]> ins) {
            StringBuilder b = new StringBuilder();
            for (Long[] s : ins) b.append(b.length() == 0 ? "" : ", ").append(java.util.Arrays.toString(s).replace("null", "None"));
            return b.toString();
        }
    }
}
