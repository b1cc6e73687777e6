package org.kerasport.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One call of a layer: the tensors it consumed, in order, and the call's keyword arguments (verbatim, may be empty). */
public record InboundNode(List<TensorRef> inputs, JsonNode kwargs) {
    public InboundNode {
        inputs = List.copyOf(inputs);
    }
}
