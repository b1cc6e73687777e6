package org.kerasport.dl4j.layers;

import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Parameter-free Keras tensor ops on activations in Keras layout, as a SameDiff lambda layer: {@code permute}
 * (Keras Permute: dims of the non-batch axes, 1-based) and {@code repeat} (RepeatVector: [b, f] → [b, n, f]).
 */
public class KerasTensorOp extends SameDiffLambdaLayer {
    @JsonProperty
    private String op;
    @JsonProperty
    private int[] dims;
    @JsonProperty
    private long n;
    /** Keras output shape without the batch axis. */
    @JsonProperty
    private long[] outShape;

    public KerasTensorOp() {
    }

    public KerasTensorOp(String name, String op, int[] dims, long n, long[] outShape) {
        this.layerName = name;
        this.op = op;
        this.dims = dims;
        this.n = n;
        this.outShape = outShape;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x) {
        return switch (op) {
            case "permute" -> {
                int[] perm = new int[dims.length + 1];
                for (int i = 0; i < dims.length; i++) perm[i + 1] = dims[i];
                yield x.permute(perm);
            }
            case "repeat" -> {
                SDVariable[] copies = new SDVariable[(int) n];
                Arrays.fill(copies, x);
                yield sd.stack(1, copies);
            }
            default -> throw new IllegalStateException("unknown op " + op);
        };
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
                                                       java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
                                                       int layerIndex, org.nd4j.linalg.api.ndarray.INDArray paramsView,
                                                       boolean initializeParams, org.nd4j.linalg.api.buffer.DataType dataType) {
        return Wiring.wire(new KerasSameDiffLayerImpl(conf, dataType), conf, listeners, layerIndex, paramsView, initializeParams,
                initializer());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return typeOf(outShape);
    }

    /** DL4J input type of an activation with this Keras shape (no batch axis), Keras layout. */
    public static InputType typeOf(long[] s) {
        return switch (s.length) {
            case 1 -> InputType.feedForward(s[0]);
            case 2 -> InputType.recurrent(s[1], s[0], RNNFormat.NWC);
            default -> InputType.convolutional(s[0], s[1], s[2], org.deeplearning4j.nn.conf.CNN2DFormat.NHWC);
        };
    }
}
