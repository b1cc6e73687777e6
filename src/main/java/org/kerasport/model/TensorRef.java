package org.kerasport.model;

/** An output tensor of a layer call: layer name, which call of the layer (node index), which output of it. */
public record TensorRef(String layer, int nodeIndex, int tensorIndex) {
    @Override
    public String toString() {
        return layer + (nodeIndex == 0 && tensorIndex == 0 ? "" : "[" + nodeIndex + "][" + tensorIndex + "]");
    }
}
