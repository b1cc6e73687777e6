package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Runtime side of {@link ActivityRegularization}. */
public class ActivityRegularizationImpl extends ParamFreeLayerImpl<ActivityRegularization> {
    private double lastPenalty;

    public ActivityRegularizationImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        // Keras adds the penalty on every call, training or not: evaluate's loss includes it too
        ActivityRegularization c = layerConf();
        double p = 0;
        if (c.getL1() != 0) p += c.getL1() * input.norm1Number().doubleValue();
        if (c.getL2() != 0) p += c.getL2() * input.mul(input).sumNumber().doubleValue();
        lastPenalty = c.isDivideByBatch() ? p / input.size(0) : p;
        return mgr.dup(ArrayType.ACTIVATIONS, input, input.ordering());
    }

    /** The activity penalty of the last forward pass (DL4J adds every layer's value to the score). */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return lastPenalty;
    }

    /**
     * DL4J's error here is the gradient of the batch's summed loss (the updater divides by the batch size later),
     * so the penalty's gradient enters multiplied by the batch size: R'(a) when Keras divides R by it, B·R'(a) when not.
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        ActivityRegularization c = layerConf();
        INDArray g = mgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
        double scale = c.isDivideByBatch() ? 1.0 : input.size(0);
        if (c.getL1() != 0) g.addi(Transforms.sign(input, true).muli(c.getL1() * scale));
        if (c.getL2() != 0) g.addi(input.mul(2 * c.getL2() * scale));
        return new Pair<>(new DefaultGradient(), g);
    }
}
