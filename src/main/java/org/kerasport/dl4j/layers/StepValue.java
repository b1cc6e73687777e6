package org.kerasport.dl4j.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An array a layer keeps from one pass of a training step for a later pass of the same step (a pre-activation for
 * the backward pass, an LSTM's outputs): valid only while the layer's input is the very array it was kept with, so a
 * later step, or a pass on other data, never sees it. The layers drop it in their {@code clear()}, which the graph
 * calls at the end of every step.
 */
final class StepValue {
    private INDArray value;
    private INDArray input;

    void keep(INDArray value, INDArray input) {
        this.value = value;
        this.input = input;
    }

    /** The kept array when {@code input} is the one it was kept with, else null. */
    INDArray get(INDArray input) {
        return value != null && input != null && this.input == input ? value : null;
    }

    /** {@link #get}, and forget it. */
    INDArray take(INDArray input) {
        INDArray v = get(input);
        clear();
        return v;
    }

    void clear() {
        value = null;
        input = null;
    }
}
