package org.kerasport.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * One top-level (or nested) Keras layer.
 *
 * @param name                 the layer name
 * @param className            Keras class name, normalized across versions (Keras 1 {@code Convolution2D} is
 *                             {@code Conv2D}); {@link #writtenClassName} keeps the original
 * @param writtenClassName     the class name as the file wrote it
 * @param config               config normalized to Keras 2/3 keys (units, kernel_size, kernel_regularizer ...)
 * @param rawConfig            the config exactly as written, kept for export
 * @param trainable            the layer's trainable flag
 * @param inboundNodes         the layer's calls in the graph (empty for input layers)
 * @param weights              the layer's variables in Keras order (trainable, then non-trainable, as Keras saves them)
 * @param activityRegularizer  penalty on the layer output, or null
 * @param inner                the layers of a wrapped or nested model: a Sequential/Functional used as a layer; else null
 * @param synthesized          true for an InputLayer Kerasport added to a Sequential that had none in its config
 */
public record LayerSpec(String name, String className, String writtenClassName, ObjectNode config, JsonNode rawConfig,
                        boolean trainable, List<InboundNode> inboundNodes, List<WeightSpec> weights,
                        Regularizer activityRegularizer, KerasGraph inner, boolean synthesized) {

    public LayerSpec {
        inboundNodes = List.copyOf(inboundNodes);
        weights = List.copyOf(weights);
    }

    public long paramCount() {
        long n = 0;
        for (WeightSpec w : weights) n += w.size();
        return n;
    }

    public Optional<WeightSpec> weight(String weightName) {
        return weights.stream().filter(w -> w.name().equals(weightName)).findFirst();
    }

    public boolean isInput() {
        return className.equals("InputLayer");
    }

    public LayerSpec withWeights(List<WeightSpec> newWeights) {
        return new LayerSpec(name, className, writtenClassName, config, rawConfig, trainable, inboundNodes, newWeights,
                activityRegularizer, inner, synthesized);
    }

    public LayerSpec withInner(KerasGraph newInner) {
        return new LayerSpec(name, className, writtenClassName, config, rawConfig, trainable, inboundNodes, weights,
                activityRegularizer, newInner, synthesized);
    }
}
