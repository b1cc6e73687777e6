package org.kerasport.model;

import java.util.ArrayList;
import java.util.List;
import org.kerasport.UnsupportedItem;

/**
 * The one normalized, immutable in-memory form of a Keras model: readers only produce it, writers only consume it,
 * the DL4J side translates to and from it. Fields Kerasport does not interpret stay verbatim in each layer's raw config.
 *
 * @param graph    the layer graph with weights and regularizers
 * @param training the training config, or null when the file has none
 * @param source   where the model came from
 * @param unsupported what was read but cannot be computed or interpreted (Lambda bytecode, orthogonal regularizers,
 *                    and with lenient reading unknown classes); empty for a fully understood model
 * @param config   the model config exactly as the file holds it ({@code class_name}, {@code config} ...), kept
 *                 verbatim so export can write back every field Kerasport does not interpret
 * @param optimizerVariables the optimizer's stored variables in the file's order (Keras 3: iteration, learning
 *                 rate unless scheduled, then the slots); empty when the file has none or was read without weights
 */
public record KerasModel(KerasGraph graph, TrainingSpec training, SourceInfo source, List<UnsupportedItem> unsupported,
                         com.fasterxml.jackson.databind.JsonNode config, List<WeightSpec> optimizerVariables) {

    public KerasModel {
        unsupported = List.copyOf(unsupported);
        optimizerVariables = List.copyOf(optimizerVariables);
    }

    /** The same model with other layers (and nothing else changed). */
    public KerasModel withGraph(KerasGraph g) {
        return new KerasModel(g, training, source, unsupported, config, optimizerVariables);
    }

    /** The same model with another training config. */
    public KerasModel withTraining(TrainingSpec t) {
        return new KerasModel(graph, t, source, unsupported, config, optimizerVariables);
    }

    /** Keras' {@code model.trainable_variables} order: per top-level layer, its trainable variables in Keras order. */
    public List<RegularizedWeight> trainableVariables() {
        List<RegularizedWeight> out = new ArrayList<>();
        for (LayerSpec l : graph.layers())
            for (WeightSpec w : l.weights())
                if (w.trainable()) out.add(new RegularizedWeight(l.name(), w));
        return out;
    }

    /** Top-level layers in config order. */
    public List<LayerSpec> layers() {
        return graph.layers();
    }

    /** A regularized variable, with the top-level layer it belongs to. */
    public record RegularizedWeight(String layer, WeightSpec weight) {
    }

    /** Every variable that carries a regularizer, in layer order then Keras weight order. */
    public List<RegularizedWeight> regularizedWeights() {
        List<RegularizedWeight> out = new ArrayList<>();
        for (LayerSpec l : graph.layers())
            for (WeightSpec w : l.weights())
                if (w.regularizer() != null) out.add(new RegularizedWeight(l.name(), w));
        return out;
    }

    /** Every activity regularizer, top-level layers first, then those of nested layers (named by their top-level layer). */
    public List<ActivityRegularizer> activityRegularizers() {
        List<ActivityRegularizer> out = new ArrayList<>();
        collectActivity(graph, null, out);
        return out;
    }

    private static void collectActivity(KerasGraph g, String prefix, List<ActivityRegularizer> out) {
        for (LayerSpec l : g.layers()) {
            String name = prefix == null ? l.name() : prefix + "." + l.name();
            if (l.activityRegularizer() != null) out.add(new ActivityRegularizer(name, l.activityRegularizer()));
            if (l.inner() != null) collectActivity(l.inner(), name, out);
        }
    }

    public long paramCount() {
        long n = 0;
        for (LayerSpec l : graph.layers()) n += l.paramCount();
        return n;
    }
}
