package org.kerasport.dl4j;

import org.kerasport.dl4j.layers.KerasPreprocessing;

/**
 * A DL4J graph input computed from a Keras string input before the graph runs: the string layer (StringLookup,
 * Hashing, TextVectorization) applied on the host, its numeric output fed to the graph under the layer's name.
 *
 * @param input      the Keras string input layer's name (the key of the string array in an {@code .npz})
 * @param inputShape its Keras shape (batch first, null = any)
 * @param layer      the preprocessing layer that turns its strings into numbers
 * @param outShape   the layer's output shape (batch first)
 */
public record StringFeed(String input, Long[] inputShape, KerasPreprocessing layer, Long[] outShape) {
    /** Applies the layer to strings laid out in C order with this shape (batch first); C-order floats out. */
    public float[] apply(String[] strings, long[] shape) {
        return layer.apply(strings, shape);
    }
}
