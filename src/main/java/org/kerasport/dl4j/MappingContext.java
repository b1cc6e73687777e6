package org.kerasport.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.kerasport.UnsupportedItem;
import org.kerasport.dl4j.activation.KerasActivations;
import org.kerasport.format.ShapeInference;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.LossSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.learning.regularization.Regularization;

/** What mappers share while one model is mapped: the graph builder, shapes, bindings, and everything unsupported. */
public final class MappingContext {
    final ComputationGraphConfiguration.GraphBuilder gb;
    final int kerasMajor;
    final Double weightDecay;
    /** The model being mapped. */
    KerasModel keras;
    final Map<String, Long[]> shapes = new HashMap<>();
    final List<WeightBinding> bindings = new ArrayList<>();
    final List<UnsupportedItem> unsupported = new ArrayList<>();
    final List<String> report = new ArrayList<>();
    /** Keras output layer name -> its loss (null for prediction-only import). */
    final Map<String, LossSpec> losses;
    final Map<String, Double> lossWeights;
    /** Keras output layers whose loss a mapper fused into its own DL4J output layer. */
    final Map<String, String> fusedOutputs = new HashMap<>();
    /** The top-level Keras layer currently being mapped (for bindings of nested layers). */
    String topLayer;
    String weightPrefix = "";
    /**
     * Keras masks: the mask Keras attaches to a layer's output ([batch, time], 1 = a step that counts), as a vertex
     * made on first use, by Keras layer name; and the mask passed to the call being mapped (Keras 3 records it in
     * the call's kwargs), as a vertex, or null (see {@link org.kerasport.dl4j.mappers.Masks}).
     */
    public final Map<String, java.util.function.Supplier<String>> masks = new HashMap<>();
    public String callMask;
    public boolean callMaskExplicit;
    /** False while a shared layer is mapped over its stacked calls: no mapper may fuse a model loss into it then. */
    boolean fuseLoss = true;
    /** Whether 2-D convolutions and poolings run channels-first ({@link org.kerasport.dl4j.runtime.Backend#channelsFirst()}). */
    final boolean channelsFirst;
    /** Vertices whose 4-D output holds the Keras tensor channels-first (NCHW) rather than as Keras lays it out. */
    private final java.util.Set<String> nchw = new java.util.HashSet<>();
    /** Vertex -> its copy in the other channel order, made once and shared by every consumer. */
    private final Map<String, String> reordered = new HashMap<>();

    MappingContext(ComputationGraphConfiguration.GraphBuilder gb, int kerasMajor, Double weightDecay,
                   Map<String, LossSpec> losses, Map<String, Double> lossWeights) {
        this.gb = gb;
        this.kerasMajor = kerasMajor;
        this.weightDecay = weightDecay;
        this.losses = losses;
        this.lossWeights = lossWeights;
        this.channelsFirst = org.kerasport.dl4j.runtime.Backend.channelsFirst();
    }

    /**
     * True when a 2-D convolution or pooling may run channels-first: the ND4J backend computes those fast and
     * correctly in NCHW only (the oneDNN build; {@link org.kerasport.dl4j.runtime.Backend}).
     */
    public boolean channelsFirstEnabled() {
        return channelsFirst;
    }

    /** True when the vertex's output is a channels-first (NCHW) copy of its Keras tensor. */
    public boolean isChannelsFirst(String vertex) {
        return nchw.contains(vertex);
    }

    /** Marks a vertex whose output is the Keras tensor channels-first (NCHW). */
    public void markChannelsFirst(String vertex) {
        nchw.add(vertex);
    }

    /** The vertex holding this vertex's Keras tensor channels-first: itself, or a reordering vertex after it. */
    public String channelsFirst(String vertex) {
        if (nchw.contains(vertex)) return vertex;
        String v = reordered.computeIfAbsent(vertex, k -> {
            String name = k + "__nchw";
            addVertex(name, new org.kerasport.dl4j.layers.ChannelsOrderVertex(true), shapes.get(k), List.of(k));
            return name;
        });
        nchw.add(v);
        return v;
    }

    /** The vertex holding this vertex's Keras tensor as Keras lays it out (channels last). */
    public String kerasLayout(String vertex) {
        if (vertex == null || !nchw.contains(vertex)) return vertex;
        return reordered.computeIfAbsent(vertex, k -> {
            String name = k + "__nhwc";
            addVertex(name, new org.kerasport.dl4j.layers.ChannelsOrderVertex(false), shapes.get(k), List.of(k));
            return name;
        });
    }

    /** {@link #kerasLayout(String)} of each vertex. */
    public List<String> kerasLayout(List<String> vertices) {
        List<String> out = new ArrayList<>(vertices.size());
        for (String v : vertices) out.add(kerasLayout(v));
        return out;
    }

    /** The model being mapped. */
    public KerasModel keras() {
        return keras;
    }

    public int kerasMajor() {
        return kerasMajor;
    }

    /** The model being mapped (e.g. to look at a layer's producers or consumers in the Keras graph). */
    public KerasModel kerasModel() {
        return keras;
    }

    /** Keras shape (batch axis first, null = free) of what a vertex produces. */
    public Long[] shape(String vertex) {
        return shapes.get(vertex);
    }

    public Long[] outputShape(LayerSpec l, List<String> inputs) {
        List<Long[]> ins = new ArrayList<>();
        for (String i : inputs) ins.add(shapes.get(i));
        return ShapeInference.outputShape(l, ins);
    }

    /**
     * Adds a DL4J layer; a Keras layer with trainable=false is wrapped so it computes in inference mode and never
     * updates, and gets no optimizer: DL4J would otherwise give it the model's updater (the wrapper reports its inner
     * layer's), whose state (Adam: twice the parameters) and per-step work over every frozen weight Keras never has
     * (a frozen ResNet50 base: 188 MB of Adam state, and 23.5 M weights updated by zero every step).
     */
    public void addLayer(String vertex, Layer layer, boolean trainable, Long[] shape, List<String> inputs) {
        if (!trainable) noOptimizer(layer);
        Layer l = trainable ? layer : new FrozenLayerWithBackprop(layer);
        gb.addLayer(vertex, l, inputs.toArray(new String[0]));
        shapes.put(vertex, shape);
    }

    /** Sets DL4J's NoOp updater on a layer's weights and biases (a frozen layer's variables are not the optimizer's). */
    public static void noOptimizer(Layer layer) {
        setUpdaters(layer, new org.nd4j.linalg.learning.config.NoOp(), new org.nd4j.linalg.learning.config.NoOp());
    }

    /** Sets a layer's weight and bias updaters (the layer kinds that have them; others are left alone). */
    public static void setUpdaters(Layer layer, org.nd4j.linalg.learning.config.IUpdater weights,
                                   org.nd4j.linalg.learning.config.IUpdater biases) {
        if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer bl) {
            bl.setIUpdater(weights);
            bl.setBiasUpdater(biases);
        } else if (layer instanceof org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer sd) {
            sd.setUpdater(weights);
            sd.setBiasUpdater(biases);
        }
    }

    public void addVertex(String vertex, GraphVertex v, Long[] shape, List<String> inputs) {
        gb.addVertex(vertex, v, inputs.toArray(new String[0]));
        shapes.put(vertex, shape);
    }

    /** DL4J regularizations for a Keras variable: its regularizer exactly, plus the optimizer's decoupled decay. */
    public List<Regularization> regularization(WeightSpec w) {
        if (w == null || !w.trainable()) return new ArrayList<>();
        return RegularizationMapper.map(w.regularizer(), weightDecay);
    }

    /** Binds a Keras variable of the current top-level layer to a DL4J parameter. */
    public void bind(String kerasWeight, String vertex, String param, Layout layout) {
        bindings.add(new WeightBinding(topLayer, weightPrefix + kerasWeight, vertex, param, layout));
    }

    public IActivation activation(LayerSpec l, String field) {
        JsonNode a = l.config().get(field);
        try {
            return KerasActivations.of(a, kerasMajor);
        } catch (KerasActivations.UnknownActivation e) {
            unsupported(l, field, "activation '" + e.getMessage() + "' is not supported");
            return new ActivationIdentity();
        }
    }

    public void unsupported(LayerSpec l, String field, String reason) {
        unsupported.add(new UnsupportedItem(l.name(), l.className(), field, reason));
    }

    /** The loss to fuse into this layer's DL4J output layer, when the layer is a model output; else null. */
    public LossSpec lossIfOutput(LayerSpec l) {
        return losses == null || !fuseLoss ? null : losses.get(l.name());
    }

    public double lossWeight(String layer) {
        return lossWeights == null ? 1.0 : lossWeights.getOrDefault(layer, 1.0);
    }

    public void fusedOutput(String kerasLayer, String vertex) {
        fusedOutputs.put(kerasLayer, vertex);
    }

    public void note(String line) {
        report.add(line);
    }

    /** Vertex names of the Keras inputs of dtype string: they are no DL4J inputs (see {@link StringFeed}). */
    final java.util.Set<String> stringInputs = new java.util.HashSet<>();
    /** DL4J input name -> the string input and layer that compute it, in the order the inputs were added. */
    final Map<String, StringFeed> stringFeeds = new java.util.LinkedHashMap<>();
    /** The DL4J graph's inputs and their types, in order (the importer's lists). */
    List<String> graphInputs;
    List<org.deeplearning4j.nn.conf.inputs.InputType> graphInputTypes;

    /** True when the vertex is a Keras string input (not a DL4J activation). */
    public boolean isStringInput(String vertex) {
        return stringInputs.contains(vertex);
    }

    /**
     * Makes {@code vertex + "__strings"} a DL4J graph input computed from the string input {@code input} by
     * {@code layer} before the graph runs, and {@code vertex} the identity of it (a DL4J graph output cannot be one of
     * its inputs; x·1 is exact).
     */
    public String feedStrings(String vertex, String input, org.kerasport.dl4j.layers.KerasPreprocessing layer,
                              Long[] outShape, org.deeplearning4j.nn.conf.inputs.InputType type) {
        String fed = vertex + "__strings";
        gb.addInputs(fed);
        shapes.put(fed, outShape);
        graphInputs.add(fed);
        graphInputTypes.add(type);
        stringFeeds.put(fed, new StringFeed(input, shapes.get(input), layer, outShape));
        addVertex(vertex, new org.deeplearning4j.nn.conf.graph.ScaleVertex(1.0), outShape, List.of(fed));
        return vertex;
    }
}
