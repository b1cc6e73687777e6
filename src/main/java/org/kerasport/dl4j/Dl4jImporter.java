package org.kerasport.dl4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.UnsupportedItem;
import org.kerasport.model.InboundNode;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.LossSpec;
import org.kerasport.model.OptimizerSpec;
import org.kerasport.model.TensorRef;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Maps a {@link KerasModel} onto a DL4J {@link ComputationGraph} that computes what Keras computes, with every
 * regularizer mapped exactly, the optimizer's update rule and decoupled weight decay, and the loss per output.
 * Everything unsupported is collected and reported at once.
 */
public final class Dl4jImporter {
    private final MapperRegistry registry;
    private final boolean lenient;
    private final boolean training;

    /**
     * @param lenient  drop unsupported items (listed in {@link ImportedModel#unsupported()}) instead of failing
     * @param training the graph will be trained: an optimizer or loss Kerasport cannot reproduce is an error, and the
     *                 graph gets Kerasport's updater (its state and the gradient arrays, together twice to three times
     *                 the parameters' memory); for prediction only they are noted in the report and the graph has no
     *                 updater ({@link GraphPasses#prepare} gives it one)
     */
    public Dl4jImporter(MapperRegistry registry, boolean lenient, boolean training) {
        this.registry = registry;
        this.lenient = lenient;
        this.training = training;
    }

    /**
     * Import for prediction: the model's optimizer and loss are mapped when possible, noted when not; the graph holds
     * no updater state and no gradient arrays (use {@link #importForTraining} to train).
     */
    public static ImportedModel importModel(KerasModel m, boolean lenient) {
        org.kerasport.dl4j.runtime.Backend.init(); // the native build before ND4J loads, whatever the caller did first
        return new Dl4jImporter(MapperRegistry.defaults(), lenient, false).map(m, null);
    }

    /** Import for training: everything, optimizer and loss included, must map exactly (or be dropped with lenient). */
    public static ImportedModel importForTraining(KerasModel m, boolean lenient) {
        org.kerasport.dl4j.runtime.Backend.init(); // the native build before ND4J loads, whatever the caller did first
        return new Dl4jImporter(MapperRegistry.defaults(), lenient, true).map(m, null);
    }

    /**
     * @param updater the DL4J updater to train with; null maps the model's own optimizer (plain SGD(0.01) when the
     *                model has none)
     */
    public ImportedModel map(KerasModel m, IUpdater updater) {
        OptimizerSpec opt = m.training() == null ? null : m.training().optimizer();
        List<UnsupportedItem> problems = new ArrayList<>(m.unsupported());
        List<UnsupportedItem> trainingProblems = new ArrayList<>();
        if (updater == null) {
            OptimizerMapper.Mapped mapped = OptimizerMapper.map(opt, trainingProblems);
            updater = mapped.updater();
        }
        Double wd = opt == null ? null : opt.weightDecay();
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).updater(updater).seed(12345).graphBuilder();
        Map<String, LossSpec> losses = m.training() == null ? Map.of() : m.training().losses();
        Map<String, Double> lossWeights = m.training() == null ? Map.of() : m.training().lossWeights();
        MappingContext ctx = new MappingContext(gb, m.source().kerasMajor(), wd, losses, lossWeights);
        ctx.keras = m;

        Map<String, String> produced = new HashMap<>();
        List<String> inputs = new ArrayList<>();
        List<InputType> inputTypes = new ArrayList<>();
        ctx.graphInputs = inputs;
        ctx.graphInputTypes = inputTypes;
        mapGraph(m.graph(), "", null, null, produced, inputs, inputTypes, ctx, true);

        Map<String, String> outputs = new LinkedHashMap<>();
        for (TensorRef o : m.graph().outputs()) {
            String v = ctx.kerasLayout(resolve(produced, o));
            if (v == null) continue;
            String fused = ctx.fusedOutputs.get(o.layer());
            if (fused != null) {
                outputs.put(o.layer(), fused);
                continue;
            }
            LossSpec loss = losses.get(o.layer());
            ILossFunction fn = loss == null ? null : LossMapper.map(loss, ctx.lossWeight(o.layer()));
            if (loss != null && fn == null)
                trainingProblems.add(new UnsupportedItem(o.layer(), "loss", "loss", "loss '" + loss.name() + "' is not supported yet"));
            Long[] outShape = ctx.shape(v);
            if (fn != null && outShape != null && outShape.length != 2) { // DL4J's LossLayer would flatten the output
                trainingProblems.add(new UnsupportedItem(o.layer(), "loss", "loss", "a loss on a " + outShape.length
                        + "-D output is not supported yet (only [batch, features])"));
                fn = null;
            }
            if (fn == null) {
                outputs.put(o.layer(), v);
            } else {
                String lv = o.layer() + "__loss";
                gb.addLayer(lv, new LossLayer.Builder(fn).activation(new ActivationIdentity()).build(), v);
                outputs.put(o.layer(), lv);
            }
        }
        for (UnsupportedItem u : ctx.unsupported) // one item per layer and class: the reader may have named it already
            if (problems.stream().noneMatch(p -> p.layer().equals(u.layer()) && p.className().equals(u.className()))) problems.add(u);
        if (training) problems.addAll(trainingProblems);
        else for (UnsupportedItem u : trainingProblems) ctx.note("not needed for prediction, but training would need: " + u);
        if (!problems.isEmpty() && !lenient) throw new UnsupportedFeatureException(Path.of(m.source().path()), problems);
        if (outputs.isEmpty()) {
            problems.add(new UnsupportedItem("", m.graph().className(), "output_layers",
                    "no model output is computable once the unsupported layers are dropped"));
            throw new UnsupportedFeatureException(Path.of(m.source().path()), problems);
        }
        gb.setOutputs(outputs.values().toArray(new String[0]));
        gb.setInputTypes(inputTypes.toArray(new InputType[0]));
        ComputationGraphConfiguration conf = gb.build();
        boolean perVariable = updater instanceof org.kerasport.dl4j.optim.KerasUpdater ku && ku.getClipNorm() != null;
        if (perVariable) oneBlockPerVariable(conf, (org.kerasport.dl4j.optim.KerasUpdater) updater);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        if (training) GraphPasses.prepare(graph);
        else GraphPasses.attachHelpers(graph); // no updater: its state and the gradients it allocates are for training
        if (perVariable && training) checkOneVariablePerBlock(m, graph, problems);
        setWeights(graph, m, ctx.bindings);
        return new ImportedModel(graph, m, inputs, outputs, List.copyOf(ctx.bindings), List.copyOf(ctx.report), problems,
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ctx.stringFeeds)));
    }

    /**
     * @param parentWeights for a nested model: the weights of the top-level layer holding it, named
     *                      {@code <sublayer>.<weight>}; each sublayer is mapped with its own slice of them
     */
    private void mapGraph(KerasGraph g, String prefix, List<String> bound, List<WeightSpec> parentWeights,
                          Map<String, String> produced, List<String> inputs, List<InputType> inputTypes,
                          MappingContext ctx, boolean top) {
        int nextBound = 0;
        for (LayerSpec spec : g.layers()) {
            LayerSpec l = parentWeights == null ? spec : withOwnWeights(spec, parentWeights, spec.name() + ".");
            String name = prefix + l.name();
            if (top) {
                ctx.topLayer = l.name();
                ctx.weightPrefix = "";
            } else {
                ctx.weightPrefix = weightPrefixFor(prefix, l);
            }
            if (l.isInput()) {
                if (bound == null && "string".equals(org.kerasport.format.Json.text(l.config(), "dtype"))) {
                    // strings never enter the DL4J graph: the string layers they feed become its inputs (StringFeed)
                    ctx.stringInputs.add(name);
                    ctx.shapes.put(name, org.kerasport.format.ShapeInference.infer(g).get(l.name()));
                    produced.put(key(name, 0), name);
                    continue;
                }
                if (bound == null) {
                    Long[] shape = org.kerasport.format.ShapeInference.infer(g).get(l.name());
                    ctx.gb.addInputs(name);
                    ctx.shapes.put(name, shape);
                    inputs.add(name);
                    inputTypes.add(inputType(l, shape, ctx));
                    produced.put(key(name, 0), name);
                } else {
                    produced.put(key(name, 0), bound.get(Math.min(nextBound++, bound.size() - 1)));
                }
                continue;
            }
            List<InboundNode> calls = l.inboundNodes();
            if (calls.isEmpty() && bound != null && g.isSequential()) // a nested Sequential without InputLayer
                calls = List.of(new InboundNode(List.of(), org.kerasport.format.Json.object()));
            boolean nestedModel = l.inner() != null && (l.className().equals("Sequential") || l.className().equals("Functional"));
            if (calls.size() > 1 && !l.weights().isEmpty() && !nestedModel) {
                mapShared(g, l, name, prefix, calls, produced, ctx);
                continue;
            }
            for (int call = 0; call < calls.size(); call++) {
                List<String> in = new ArrayList<>();
                for (TensorRef r : calls.get(call).inputs()) in.add(resolve(produced, new TensorRef(prefix + r.layer(), r.nodeIndex(), r.tensorIndex())));
                if (in.isEmpty() && bound != null) in.addAll(bound);
                if (in.contains(null)) continue; // an input was already reported unsupported
                if (call > 0 && !l.weights().isEmpty()) {
                    ctx.unsupported(l, "inbound_nodes", "a layer with weights applied " + calls.size()
                            + " times (shared weights) is not supported yet");
                    break;
                }
                String vertex = call == 0 ? name : name + "#" + call;
                String out;
                com.fasterxml.jackson.databind.JsonNode training = calls.get(call).kwargs() == null ? null : calls.get(call).kwargs().get("training");
                if (training != null && training.isBoolean() && !training.asBoolean())
                    ctx.note(l.name() + ": called with training=False, which Keras 3's fit replaces by its own training flag"
                            + " (a Functional model passes its call's flag to every layer it calls), so in training its"
                            + " BatchNormalization uses batch statistics and its dropout is active, in Keras and here;"
                            + " freeze it (--freeze) to keep it in inference mode");
                if (l.inner() != null && (l.className().equals("Sequential") || l.className().equals("Functional"))) {
                    String savedPrefix = ctx.weightPrefix;
                    Map<String, String> innerProduced = new HashMap<>();
                    mapGraph(l.inner(), vertex + "/", in, l.weights(), innerProduced, inputs, inputTypes, ctx, false);
                    produced.putAll(innerProduced);
                    List<TensorRef> outs = l.inner().outputs();
                    out = outs.isEmpty() ? null : resolve(innerProduced, new TensorRef(vertex + "/" + outs.get(outs.size() - 1).layer(), 0, 0));
                    ctx.weightPrefix = savedPrefix;
                } else {
                    LayerMapper mapper = registry.get(l.className());
                    org.kerasport.dl4j.mappers.Masks.beforeCall(l, calls.get(call), prefix, r -> resolve(produced, r), ctx);
                    String strings = in.stream().filter(ctx::isStringInput).findFirst().orElse(null);
                    if (strings != null && !org.kerasport.dl4j.mappers.PreprocessingMappers.STRING_LAYERS.contains(l.className())) {
                        ctx.unsupported(l, "inbound_nodes", "takes the string input '" + strings + "' directly; strings are"
                                + " read by " + org.kerasport.dl4j.mappers.PreprocessingMappers.STRING_LAYERS + " only");
                        out = null;
                    } else if (mapper == null) {
                        ctx.unsupported(l, "class_name", "no DL4J mapping for " + l.className() + " yet (supported: " + registry.supportedList() + ")");
                        out = null;
                    } else {
                        out = mapper.map(l, vertex, mapper.takesChannelsFirst() ? in : ctx.kerasLayout(in), ctx);
                    }
                }
                if (out != null && l.activityRegularizer() != null) out = activity(l, vertex, ctx.kerasLayout(out), ctx);
                if (out != null) org.kerasport.dl4j.mappers.Masks.afterCall(l, calls.get(call), prefix, in, ctx);
                if (out != null) produced.put(key(name, call), out);
            }
        }
    }

    /**
     * A layer with weights called several times: all calls are mapped at once by
     * {@link org.kerasport.dl4j.mappers.AttentionMappers.Shared} (one parameter set, the calls stacked along the batch).
     */
    private void mapShared(KerasGraph g, LayerSpec l, String name, String prefix, List<InboundNode> calls,
                           Map<String, String> produced, MappingContext ctx) {
        List<List<String>> callInputs = new ArrayList<>();
        int self = g.layers().indexOf(g.layer(l.name()).orElse(null));
        for (InboundNode node : calls) {
            List<String> in = new ArrayList<>();
            for (TensorRef r : node.inputs()) {
                String v = resolve(produced, new TensorRef(prefix + r.layer(), r.nodeIndex(), r.tensorIndex()));
                if (v == null) {
                    int at = g.layers().indexOf(g.layer(r.layer()).orElse(null));
                    if (r.layer().equals(l.name()) || at > self)
                        ctx.unsupported(l, "inbound_nodes", "a shared layer whose calls depend on one another (call input '"
                                + r.layer() + "' is computed after the layer's first call) is not supported yet");
                    return; // else: that input was already reported unsupported
                }
                in.add(ctx.kerasLayout(v));
            }
            callInputs.add(in);
        }
        List<String> outs;
        ctx.fuseLoss = false; // the mapped layer sees the stacked calls: a loss goes on each call's output instead
        try {
            outs = org.kerasport.dl4j.mappers.AttentionMappers.Shared.map(l, name, callInputs, registry.get(l.className()), ctx);
        } finally {
            ctx.fuseLoss = true;
        }
        if (outs == null) return;
        for (int call = 0; call < outs.size(); call++) {
            String out = outs.get(call);
            if (l.activityRegularizer() != null) out = activity(l, call == 0 ? name : name + "#" + call, out, ctx);
            produced.put(key(name, call), out);
        }
    }

    /**
     * Keras' {@code clipnorm} clips each variable's gradient by its own norm; DL4J's updater sees blocks of parameters
     * with equal updater configurations, so every layer's weights and biases get distinct (tagged) configurations.
     */
    private static void oneBlockPerVariable(ComputationGraphConfiguration conf, org.kerasport.dl4j.optim.KerasUpdater u) {
        int tag = 0;
        for (var v : conf.getVertices().values()) {
            if (!(v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv)) continue;
            org.deeplearning4j.nn.conf.layers.Layer l = lv.getLayerConf().getLayer();
            if (l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop) continue; // no optimizer
            if (l instanceof org.deeplearning4j.nn.conf.layers.BaseLayer || l instanceof org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer) {
                MappingContext.setUpdaters(l, u.inBlock(tag), u.inBlock(tag + 1));
                tag += 2;
            }
        }
    }

    /** With clipnorm, a layer whose variables still share an updater block (several weight matrices) is not exact. */
    private void checkOneVariablePerBlock(KerasModel m, ComputationGraph g, List<UnsupportedItem> problems) {
        List<UnsupportedItem> shared = new ArrayList<>();
        for (org.deeplearning4j.nn.updater.UpdaterBlock b : OptimizerStateLoader.blocks(g))
            if (b.getLayersAndVariablesInBlock().size() > 1 && !(b.getGradientUpdater() instanceof org.nd4j.linalg.learning.NoOpUpdater)) {
                String layer = b.getLayersAndVariablesInBlock().get(0).getLayer().getConfig().getLayerName();
                shared.add(new UnsupportedItem(layer, "optimizer", "clipnorm", "clipnorm clips each variable by its own norm, "
                        + "but this layer's variables share one DL4J updater block"));
            }
        if (shared.isEmpty()) return;
        problems.addAll(shared);
        if (!lenient) throw new UnsupportedFeatureException(Path.of(m.source().path()), shared);
    }

    /** Appends the layer's activity regularizer to its output (Keras semantics of the writing version). */
    private static String activity(LayerSpec l, String vertex, String out, MappingContext ctx) {
        org.kerasport.model.Regularizer r = l.activityRegularizer();
        if (r instanceof org.kerasport.model.Regularizer.Orthogonal || r.isZero()) return out;
        if (l.className().equals("MultiHeadAttention")) { // keras/src/layers/attention/multi_head_attention.py
            ctx.unsupported(l, "activity_regularizer", "MultiHeadAttention's activity_regularizer is applied by Keras to "
                    + "the outputs of its query, key, value and output projections, not to the layer's output: not supported "
                    + "yet (remove it, or train with --lenient, which drops it)");
            return out;
        }
        return activityPenalty(l, vertex + "__activity", out, r.l1(), r.l2(), "activity regularizer " + r.className(), ctx);
    }

    /**
     * A penalty l1·Σ|a| + l2·Σa² on {@code out} in training (an activity regularizer, or Keras' ActivityRegularization
     * layer), divided by the batch size where the writing Keras divides; the vertex {@code v} that carries it.
     */
    public static String activityPenalty(LayerSpec l, String v, String out, double l1, double l2, String what, MappingContext ctx) {
        if (ctx.fusedOutputs.containsValue(out)) {
            ctx.unsupported(l, "activity_regularizer", "an activity regularizer on a model output layer is not supported yet");
            return out;
        }
        boolean divide = divideActivityByBatch(ctx.keras);
        ctx.addLayer(v, new org.kerasport.dl4j.layers.ActivityRegularization(v, l1, l2, divide), true, ctx.shape(out), List.of(out));
        ctx.note(l.name() + ": " + what + "(l1=" + l1 + ", l2=" + l2 + ")"
                + (divide ? ", divided by the batch size" : ", not divided by the batch size") + " as Keras " + ctx.keras.source().kerasVersion() + " does");
        return v;
    }

    /** tf.keras and Keras >= 3.14 divide activity penalties by the batch size; Keras 1, 2.0-2.3 and 3.0-3.13 do not. */
    static boolean divideActivityByBatch(KerasModel m) {
        String v = m.source().kerasVersion();
        if (v == null) return true;
        if (v.endsWith("-tf")) return true;
        String[] p = v.split("[.-]");
        int major = Integer.parseInt(p[0]), minor = p.length > 1 && p[1].matches("\\d+") ? Integer.parseInt(p[1]) : 0;
        if (major == 3) return minor >= 14;
        if (major == 2) return minor >= 4; // tf.keras (2.4 and later are tf.keras)
        return false;
    }

    /** A nested model's sublayer, given the slice of the enclosing top-level layer's weights that belongs to it. */
    private static LayerSpec withOwnWeights(LayerSpec l, List<WeightSpec> parentWeights, String namePrefix) {
        List<WeightSpec> own = new ArrayList<>();
        for (WeightSpec w : parentWeights)
            if (w.name().startsWith(namePrefix))
                own.add(new WeightSpec(w.name().substring(namePrefix.length()), w.role(), w.shape(), w.dtype(), w.data(),
                        w.trainable(), w.regularizer(), w.source()));
        return l.withWeights(own);
    }

    /** Bindings of layers inside a nested model are named {@code <sublayer>.<weight>} below the top-level layer. */
    private static String weightPrefixFor(String prefix, LayerSpec l) {
        String[] parts = prefix.split("/");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < parts.length; i++) sb.append(parts[i].replaceAll("#\\d+$", "")).append('.');
        return sb.append(l.name()).append('.').toString();
    }

    private static String key(String layer, int node) {
        return layer + "#" + node;
    }

    private static String resolve(Map<String, String> produced, TensorRef r) {
        String v = produced.get(key(r.layer(), r.nodeIndex()));
        if (v == null) v = produced.get(key(r.layer(), 0)); // tf.keras numbers a nested model's first call 1
        return v;
    }

    private static InputType inputType(LayerSpec l, Long[] shape, MappingContext ctx) {
        // images and volumes may leave their spatial axes free (fully convolutional models); channels must be known
        // sequences may leave their length free (every batch has one length; recurrent layers are unrolled per length)
        boolean spatialFree = shape != null && (shape.length == 4 || shape.length == 5) && shape[shape.length - 1] != null;
        boolean timeFree = shape != null && shape.length == 3 && shape[2] != null;
        boolean idsFree = shape != null && shape.length == 2 && shape[1] == null && feedsOnlyEmbeddings(l, ctx);
        if (shape == null || (!spatialFree && !timeFree && !idsFree && java.util.Arrays.asList(shape).subList(1, shape.length).contains(null))) {
            ctx.unsupported(l, "batch_shape", "inputs need known dimensions (other than the batch, a sequence's length"
                    + " and an image's height and width) for now");
            return InputType.feedForward(1);
        }
        return switch (shape.length) {
            case 2 -> InputType.feedForward(shape[1] == null ? -1 : shape[1]);
            case 3 -> InputType.recurrent(shape[2], shape[1] == null ? -1 : shape[1], RNNFormat.NWC);
            case 4, 5 -> InputTypes.channelsLast(shape);
            default -> {
                ctx.unsupported(l, "batch_shape", shape.length + "-D inputs are not supported yet");
                yield InputType.feedForward(1);
            }
        };
    }

    /**
     * An input of token ids of free length: its consumers are Embedding layers or the mask operations Keras 3 writes
     * for them ({@code NotEqual(ids, 0)} of an Embedding with mask_zero).
     */
    private static boolean feedsOnlyEmbeddings(LayerSpec input, MappingContext ctx) {
        boolean any = false;
        for (LayerSpec o : ctx.keras.graph().layers())
            for (InboundNode n : o.inboundNodes())
                for (TensorRef r : n.inputs())
                    if (r.layer().equals(input.name())) {
                        if (!o.className().equals("Embedding") && !o.className().equals("ops.numpy.NotEqual")) return false;
                        any = true;
                    }
        return any;
    }

    /** Copies every bound Keras variable into its DL4J parameter. */
    static void setWeights(ComputationGraph graph, KerasModel m, List<WeightBinding> bindings) {
        for (WeightBinding b : bindings) {
            WeightSpec w = weight(m, b);
            if (w.data() == null) throw new IllegalStateException("model read without weights: " + b);
            INDArray p = graph.getParam(b.vertex() + "_" + b.param());
            if (p == null) throw new IllegalStateException("no DL4J parameter " + b.vertex() + "_" + b.param());
            p.assign(b.layout().toDl4j(w.data(), w.shape(), p.shape()));
        }
    }

    static WeightSpec weight(KerasModel m, WeightBinding b) {
        LayerSpec l = m.graph().layer(b.kerasLayer()).orElseThrow(() -> new IllegalStateException("no layer " + b.kerasLayer()));
        return l.weight(b.kerasWeight()).orElseThrow(() -> new IllegalStateException("no weight " + b.kerasLayer() + "/" + b.kerasWeight()));
    }
}
