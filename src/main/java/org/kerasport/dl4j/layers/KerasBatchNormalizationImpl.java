package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Runtime side of {@link KerasBatchNormalization}. */
public class KerasBatchNormalizationImpl extends BatchNormalization {
    private boolean lastTraining = true;

    public KerasBatchNormalizationImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private KerasBatchNormalization keras() {
        return (KerasBatchNormalization) conf().getLayer();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        lastTraining = training;
        return super.activate(training, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!lastTraining) return inferenceBackprop(epsilon, workspaceMgr);
        Pair<Gradient, INDArray> r = super.backpropGradient(epsilon, workspaceMgr);
        if (!layerConf().isLockGammaBeta()) { // without gamma and beta DL4J has neither parameter
            if (!keras().isHasGamma()) gradientViews.get(BatchNormalizationParamInitializer.GAMMA).assign(0);
            if (!keras().isHasBeta()) gradientViews.get(BatchNormalizationParamInitializer.BETA).assign(0);
        }
        return r;
    }

    /** Inference mode (a frozen layer): y = gamma·(x − mean)/√(var + ε) + beta, so dL/dx = dL/dy·gamma/√(var + ε). */
    private Pair<Gradient, INDArray> inferenceBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray var = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
        INDArray factor = Transforms.sqrt(var.add(layerConf().getEps()).reshape(var.length()), false).rdivi(1.0);
        if (keras().isHasGamma() && !layerConf().isLockGammaBeta())
            factor.muli(getParam(BatchNormalizationParamInitializer.GAMMA).reshape(var.length()));
        int chAxis = epsilon.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW ? 1 : epsilon.rank() - 1;
        long[] bshape = new long[epsilon.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[chAxis] = var.length();
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
        dx.assign(epsilon.mul(factor.reshape(bshape).castTo(epsilon.dataType())));
        for (INDArray g : gradientViews.values()) g.assign(0);
        Gradient grad = new DefaultGradient();
        for (var e : gradientViews.entrySet()) grad.setGradientFor(e.getKey(), e.getValue());
        return new Pair<>(grad, dx);
    }
}
