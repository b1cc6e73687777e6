package org.kerasport.dl4j.layers;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras {@code PReLU} as Keras 3 computes it: {@code relu(x) − alpha·relu(−x)}, alpha of the Keras shape (the input
 * shape without the batch axis, 1 on every {@code shared_axes} axis), broadcast over the batch. The activations keep
 * the Keras layout (dense, NWC, NHWC ...), so the same layer serves dense and channels-last inputs.
 */
public class KerasPReLU extends KerasSameDiffLayer {
    private long[] alphaShape;

    public KerasPReLU() {
    }

    public KerasPReLU(String name, long[] alphaShape, List<Regularization> alphaReg) {
        this.layerName = name;
        this.alphaShape = alphaShape;
        this.regularization = alphaReg;
        this.regularizationBias = List.of();
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("alpha", alphaShape);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("alpha").assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        long[] shape = new long[alphaShape.length + 1];
        shape[0] = 1;
        System.arraycopy(alphaShape, 0, shape, 1, alphaShape.length);
        SDVariable alpha = sd.reshape(p.get("alpha"), shape);
        SDVariable pos = sd.nn().relu(x, 0.0);
        SDVariable neg = alpha.neg().mul(sd.nn().relu(x.neg(), 0.0));
        return pos.add(neg);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    public long[] getAlphaShape() { return alphaShape; }
    public void setAlphaShape(long[] alphaShape) { this.alphaShape = alphaShape; }
}
