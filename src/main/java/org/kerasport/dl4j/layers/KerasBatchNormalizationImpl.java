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
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
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
        if (!training && inferenceForwardApplies()) return inferenceForward(workspaceMgr);
        releaseCache(); // a training pass whose backward pass never ran (outputs only)
        return super.activate(training, workspaceMgr);
    }

    /**
     * Frees the normalized and centred input that DL4J's training pass keeps, outside the workspaces, for its backward
     * pass: they are two activation-sized arrays per layer and step, which would otherwise wait for a garbage
     * collection (nothing else holds them: DL4J drops both at the end of its backward pass; closing an array held
     * in a workspace, or a view, does nothing).
     */
    private void releaseCache() {
        if (xHat != null) xHat.close();
        if (xMu != null) xMu.close();
        xHat = null;
        xMu = null;
    }

    private boolean inferenceForwardApplies() {
        var c = layerConf();
        return input != null && (input.rank() == 2 || input.rank() == 4) && !c.isUseLogStd() && c.getIDropout() == null
                && maskArray == null && input.dataType() == dataType;
    }

    /**
     * Inference mode as Keras computes it (TensorFlow's {@code tf.nn.batch_normalization}, which Keras 3's
     * {@code ops.batch_normalization} calls): inv = rsqrt(var + ε)·gamma, y = x·inv + (beta − mean·inv), one multiply
     * and one add per element. DL4J's own inference path computes (x − mean)/√(var + ε)·gamma + beta, and it copies the
     * normalized input and the centred input out of the workspaces on every call (a backward-pass cache that inference
     * never reads): two activation-sized arrays per layer per batch left to the garbage collector, 210 MB per batch of
     * 32 in ResNet50 at 64×64 (bench/RESULTS.md, "Memory"). Here everything stays in the layer's workspaces.
     */
    private INDArray inferenceForward(LayerWorkspaceMgr workspaceMgr) {
        var c = layerConf();
        long n = c.getNOut();
        INDArray x = input;
        INDArray inv = Transforms.sqrt(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(n).add(c.getEps()), false).rdivi(1.0);
        // gamma and beta as DL4J's own path takes them: the parameters, or the configuration's constants when locked
        if (!c.isLockGammaBeta()) inv.muli(getParam(BatchNormalizationParamInitializer.GAMMA).reshape(n));
        else if (c.getGamma() != 1.0) inv.muli(c.getGamma());
        INDArray shift = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(n).mul(inv).negi();
        if (!c.isLockGammaBeta()) shift.addi(getParam(BatchNormalizationParamInitializer.BETA).reshape(n));
        else if (c.getBeta() != 0.0) shift.addi(c.getBeta());
        int chAxis = x.rank() == 4 && c.getCnn2DFormat() == CNN2DFormat.NCHW ? 1 : x.rank() - 1;
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        Nd4j.getExecutioner().exec(new BroadcastMulOp(x, inv.castTo(x.dataType()), y, chAxis));
        Nd4j.getExecutioner().exec(new BroadcastAddOp(y, shift.castTo(x.dataType()), y, chAxis));
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!lastTraining) return inferenceBackprop(epsilon, workspaceMgr);
        INDArray hat = xHat, mu = xMu;
        Pair<Gradient, INDArray> r;
        try {
            r = super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            xHat = hat;
            xMu = mu;
            releaseCache();
        }
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
