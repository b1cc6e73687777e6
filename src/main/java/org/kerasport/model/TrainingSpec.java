package org.kerasport.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The compile/training config stored with a model.
 *
 * @param optimizer   the optimizer, or null when the file has a training config without one
 * @param losses      loss per model output name (one entry per output; a single loss applies to every output), canonical
 *                    Keras function names ({@code mean_squared_error}, {@code categorical_crossentropy} ...)
 * @param lossWeights loss weight per output name, empty when none were given
 * @param loss        the loss as written (string, list, dict or serialized Loss object)
 * @param metrics     the metrics as written, or null
 * @param raw         the whole training/compile config verbatim
 */
public record TrainingSpec(OptimizerSpec optimizer, Map<String, LossSpec> losses, Map<String, Double> lossWeights,
                           JsonNode loss, JsonNode metrics, JsonNode raw) {
    public TrainingSpec {
        losses = Map.copyOf(losses);
        lossWeights = Map.copyOf(lossWeights);
    }
}
