package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime side of {@link KerasOutputLayer}. In a training step DL4J computes an output layer's pre-activation
 * z = x·W + b three times on the same input and weights: for the gradient, for the score, and (Kerasport's
 * {@code OutputCapture}, for the training metrics) for the activations. Here the backward pass keeps its z, copied
 * into the step-long activation workspace (the backward pass's own workspace is reused by the next layer), and the
 * score and the activations of the same step use it; {@link #clear()}, which the graph calls at the end of every
 * step, drops it. Layers with dropout, weight noise, a mask or another data type than float take DL4J's path.
 */
public class KerasOutputLayerImpl extends org.deeplearning4j.nn.layers.OutputLayer {
    private final StepValue stepZ = new StepValue();
    private boolean inBackward;

    public KerasOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean cacheable() {
        return layerConf().getIDropout() == null && layerConf().getWeightNoise() == null && maskArray == null
                && dataType == DataType.FLOAT;
    }

    /** This step's z from the backward pass, when there is one and the layer may use it. */
    private INDArray cached() {
        return cacheable() ? stepZ.get(input) : null;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        stepZ.clear();
        inBackward = cacheable();
        try {
            return super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            inBackward = false;
        }
    }

    @Override
    protected INDArray preOutput2d(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray kept = training ? cached() : null;
        if (kept != null) return kept; // read only: the losses work on copies
        INDArray z = super.preOutput2d(training, workspaceMgr);
        if (inBackward && training) stepZ.keep(workspaceMgr.leverageTo(ArrayType.INPUT, z), input); // the step's activation workspace, as the input
        return z;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray kept = training ? cached() : null;
        if (kept == null) return super.activate(training, workspaceMgr);
        return org.kerasport.dl4j.activation.KerasReLU.activationKeepingInput(layerConf().getActivationFn(), kept, workspaceMgr);
    }

    @Override
    public void clear() {
        super.clear();
        stepZ.clear();
    }
}
