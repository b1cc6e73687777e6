package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime side of {@link KerasDense}: DL4J's dense layer with two changes that leave the mathematics alone.
 * <ul>
 *   <li>the pre-activation {@code z = x·W + b} is allocated column-major ('f'), the layout ND4J's matrix product
 *       writes directly (a row-major result costs it about twice as long);</li>
 *   <li>a training forward pass keeps a copy of z for the backward pass of the same step, which DL4J's
 *       {@code BaseLayer.backpropGradient} would otherwise recompute with a second matrix product; the error
 *       passed down is produced column-major as well (δ·Wᵀ).</li>
 *   <li>a layer reading the network's input directly ({@link #inputGradientNeeded}, set by
 *       {@link org.kerasport.dl4j.GraphPasses#attachHelpers}) does not compute the gradient for that input, which the
 *       graph discards: for the first layer of a 784-512-512-10 MLP that was a fifth of the step's arithmetic.</li>
 *   <li>a frozen layer ({@link #weightGradientNeeded} false, set by GraphPasses for a layer inside DL4J's
 *       FrozenLayerWithBackprop, which discards the weight gradient) computes only the gradient for its input.</li>
 * </ul>
 * Layers with layer normalization, masks, weight noise or another data type than float take DL4J's own path.
 */
public class KerasDenseImpl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
    private final StepValue stepZ = new StepValue();
    private boolean inputGradientNeeded = true;
    private boolean weightGradientNeeded = true;

    public KerasDenseImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    public boolean inputGradientNeeded() {
        return inputGradientNeeded;
    }

    /** False when nothing uses the gradient for this layer's input (it reads the network's input; GraphPasses). */
    public void inputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    public boolean weightGradientNeeded() {
        return weightGradientNeeded;
    }

    /** False for a frozen layer: nothing uses its weight gradient (FrozenLayerWithBackprop discards it; GraphPasses). */
    public void weightGradientNeeded(boolean needed) {
        weightGradientNeeded = needed;
    }

    private boolean fast() {
        return !hasLayerNorm() && maskArray == null && layerConf().getWeightNoise() == null && dataType == DataType.FLOAT
                && input != null && input.rank() == 2 && input.dataType() == DataType.FLOAT;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        if (!fast()) return super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
        assertInputSet(forBackprop);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray W = getParam(DefaultParamInitializer.WEIGHT_KEY);
        if (input.columns() != W.rows()) return super.preOutputWithPreNorm(training, forBackprop, workspaceMgr); // DL4J's message
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, W.dataType(), new long[]{input.size(0), W.size(1)}, 'f');
        input.mmuli(W, z);
        if (hasBias()) z.addiRowVector(getParam(DefaultParamInitializer.BIAS_KEY));
        return new Pair<>(z, z);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        stepZ.clear();
        if (!training || !fast()) return super.activate(training, workspaceMgr);
        INDArray z = preOutput(true, workspaceMgr);
        stepZ.keep(z, input);
        return org.kerasport.dl4j.activation.KerasReLU.activationKeepingInput(layerConf().getActivationFn(), z, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray z = stepZ.take(input);
        if (z == null && !weightGradientNeeded && fast() && input.columns() == getParam(DefaultParamInitializer.WEIGHT_KEY).rows())
            z = preOutput(false, workspaceMgr); // a frozen layer's forward pass ran in inference mode and kept no z
        if (z == null || !fast()) return super.backpropGradient(epsilon, workspaceMgr);
        assertInputSet(true);
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
        Gradient ret = new DefaultGradient();
        if (!weightGradientNeeded) { // frozen: only the input's gradient, δ·Wᵀ
            INDArray W = getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                    new long[]{delta.size(0), W.size(0)}, 'f');
            Nd4j.gemm(delta, W, epsilonNext, false, true, 1.0, 0.0);
            weightNoiseParams.clear();
            return new Pair<>(ret, backpropDropOutIfPresent(epsilonNext));
        }
        if (hasBias()) {
            INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
            delta.sum(biasGrad, 0);
            ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
        }
        INDArray W = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray epsilonNext = null; // the network input's gradient: the graph discards it
        if (inputGradientNeeded) {
            epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                    new long[]{delta.size(0), W.size(0)}, 'f');
            Nd4j.gemm(delta, W, epsilonNext, false, true, 1.0, 0.0);             // δ·Wᵀ
        }
        INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY); // 'f' order
        Nd4j.gemm(input, delta, weightGrad, true, false, 1.0, 0.0);              // xᵀ·δ
        ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
        weightNoiseParams.clear();
        return new Pair<>(ret, epsilonNext == null ? null : backpropDropOutIfPresent(epsilonNext));
    }

    @Override
    public void clear() {
        super.clear();
        stepZ.clear();
    }
}
