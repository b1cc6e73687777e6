package org.kerasport.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One output's loss.
 *
 * @param name       canonical Keras loss function name (mean_squared_error, binary_crossentropy, huber ...)
 * @param fromLogits true when the loss takes logits (serialized Loss objects with from_logits)
 * @param config     the serialized Loss object's config, or null for a plain string
 */
public record LossSpec(String name, boolean fromLogits, JsonNode config) {
}
