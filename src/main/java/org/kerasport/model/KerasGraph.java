package org.kerasport.model;

import java.util.List;
import java.util.Optional;

/**
 * A Keras model's layer graph: Sequential models are given explicit edges (a chain), so every consumer sees
 * one graph form. Nested models appear as a {@link LayerSpec} whose {@link LayerSpec#inner()} is a graph.
 *
 * @param className Sequential or Functional (Keras 2 {@code Model} is normalized to Functional)
 * @param name      model name
 * @param layers    layers in config order (which is a topological order)
 * @param inputs    model inputs (InputLayer outputs)
 * @param outputs   model outputs
 */
public record KerasGraph(String className, String name, List<LayerSpec> layers, List<TensorRef> inputs,
                         List<TensorRef> outputs) {

    public KerasGraph {
        layers = List.copyOf(layers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Optional<LayerSpec> layer(String layerName) {
        return layers.stream().filter(l -> l.name().equals(layerName)).findFirst();
    }

    public boolean isSequential() {
        return className.equals("Sequential");
    }
}
