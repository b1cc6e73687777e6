package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.kerasport.dl4j.runtime.Backend;
import org.kerasport.dl4j.NdArrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runtime side of {@link KerasLSTM}. On ND4J's oneDNN build, a training or inference pass over a whole sequence
 * (channels-last [batch, time, features], sigmoid gates, tanh, no mask, no dropout, no carried state) is ND4J's
 * {@code lstmLayer} op (oneDNN's LSTM) instead of DL4J's loop of about forty small operations per time step; the
 * backward pass is backpropagation through time here ({@link #bptt}), from the step's own outputs, with ND4J's
 * {@code lstmLayer_bp} when those are not at hand ({@code -Dkerasport.lstm.bp=nd4j} forces it). The op takes Keras'
 * gate order (input, forget, cell, output); DL4J's parameters keep theirs (blocks 3, 1, 0, 2 of DL4J's are Keras' 0,
 * 1, 2, 3), so the weights are reordered for each call and the gradients back. Everything else (masks, hard-sigmoid
 * gates, rnnTimeStep, truncated BPTT, one input feature or one unit, where ND4J's oneDNN op computes wrong values)
 * is DL4J's own LSTM.
 */
public class KerasLSTMImpl extends LSTM {
    /** DL4J's gate block for each of Keras' (input, forget, cell, output). */
    private static final int[] DL4J_BLOCK = {3, 1, 0, 2};

    private final StepValue stepH = new StepValue(); // this step's outputs, time-major [t, b, n], for bptt

    public KerasLSTMImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * The builds whose oneDNN LSTM runs: the AVX-512 one. ND4J M2.1's AVX2 oneDNN build aborts the JVM in its LSTM (an
     * assertion in oneDNN's memory descriptors, "is_blocking_desc()", on the interop tier's LSTM cases), so there the
     * LSTM keeps DL4J's loop, as with the default build.
     */
    static boolean fusedBuild() {
        return Backend.oneDnn() && org.kerasport.util.NativeSetup.oneDnnInstructionSet().equals("AVX-512");
    }

    private boolean fused() {
        var c = layerConf();
        return fusedBuild() && !"dl4j".equals(System.getProperty("kerasport.lstm")) && dataType == DataType.FLOAT
                && input != null && input.rank() == 3 && input.dataType() == DataType.FLOAT && maskArray == null
                && c.getIDropout() == null && c.getWeightNoise() == null && c.getRnnDataFormat() == RNNFormat.NWC
                && c.getGateActivationFn() instanceof ActivationSigmoid && c.getActivationFn() instanceof ActivationTanH
                && (stateMap == null || stateMap.isEmpty())
                // ND4J's oneDNN lstmLayer computes wrong values when the input or the layer has one feature (measured
                // against DL4J's loop: 0.02-0.19 off; FastPathsTest): those stay on DL4J's loop
                && input.size(2) > 1 && c.getNOut() > 1;
    }

    /** The parameter in Keras' gate order: [rows, 4n] with DL4J's blocks rearranged. */
    private static INDArray kerasGates(INDArray dl4j) {
        long n = dl4j.size(1) / 4;
        INDArray[] blocks = new INDArray[4];
        for (int k = 0; k < 4; k++) blocks[k] = dl4j.get(NDArrayIndex.all(), NDArrayIndex.interval(DL4J_BLOCK[k] * n, (DL4J_BLOCK[k] + 1) * n));
        return Nd4j.hstack(blocks);
    }

    /** Writes a gradient in Keras' gate order into DL4J's gradient view. */
    private static void toDl4jGates(INDArray keras, INDArray view) {
        long n = view.size(1) / 4;
        for (int k = 0; k < 4; k++)
            view.get(NDArrayIndex.all(), NDArrayIndex.interval(DL4J_BLOCK[k] * n, (DL4J_BLOCK[k] + 1) * n))
                    .assign(keras.get(NDArrayIndex.all(), NDArrayIndex.interval(k * n, (k + 1) * n)));
    }

    /** A bias (DL4J keeps it as [4n] or [1, 4n]) as a [1, 4n] view. */
    private static INDArray row(INDArray b) {
        return b.rank() == 2 ? b : b.reshape(1, b.length());
    }


    /** The op's arguments: [batch, time, features], forwards, sigmoid gates, tanh cell and output activations. */
    private static DynamicCustomOp.DynamicCustomOpsBuilder op(String name, boolean lastOutputs) {
        return DynamicCustomOp.builder(name).addIntegerArguments(1, 0, 2, 0, 0).addFloatingPointArguments(0.0)
                .addBooleanArguments(true, false, true, true, false, true, lastOutputs, lastOutputs);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        stepH.clear();
        if (!fused()) return super.activate(training, workspaceMgr);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = NdArrays.contiguous(input);
        long b = x.size(0), t = x.size(1), n = layerConf().getNOut();
        INDArray h = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[]{b, t, n}, 'c');
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, b, n);
        // the op (oneDNN's path) wants the initial state and the last step's outputs too
        Nd4j.exec(op("lstmLayer", true).addInputs(x, kerasGates(getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY)),
                        kerasGates(getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY)),
                        kerasGates(row(getParam(LSTMParamInitializer.BIAS_KEY))).reshape(4 * n), zeros, zeros)
                .addOutputs(h, Nd4j.createUninitialized(DataType.FLOAT, b, n), Nd4j.createUninitialized(DataType.FLOAT, b, n)).build());
        // the backward pass of this step recomputes the gates from the outputs: a (time-major) copy, since DL4J's
        // Bidirectional merges its directions into the forward layer's output in place (sum, ave, mul)
        if (training) stepH.keep(workspaceMgr.dup(ArrayType.ACTIVATIONS, h.permute(1, 0, 2), 'c'), input);
        return h;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray hs = stepH.take(input);
        if (!fused()) return super.backpropGradient(epsilon, workspaceMgr);
        INDArray x = NdArrays.contiguous(input);
        long b = x.size(0), t = x.size(1), nIn = x.size(2), n = layerConf().getNOut();
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[]{b, t, nIn}, 'c');
        INDArray dW = Nd4j.createUninitialized(DataType.FLOAT, nIn, 4 * n), dR = Nd4j.createUninitialized(DataType.FLOAT, n, 4 * n),
                dB = Nd4j.createUninitialized(DataType.FLOAT, 4 * n);
        if (hs != null && !"nd4j".equals(System.getProperty("kerasport.lstm.bp")))
            bptt(x, hs, NdArrays.contiguous(epsilon), dx, dW, dR, dB);
        else nd4jBackward(x, epsilon, dx, dW, dR, dB);
        INDArray wView = gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rView = gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bView = gradientViews.get(LSTMParamInitializer.BIAS_KEY);
        toDl4jGates(dW, wView);
        toDl4jGates(dR, rView);
        toDl4jGates(dB.reshape(1, 4 * n), row(bView));
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(LSTMParamInitializer.INPUT_WEIGHT_KEY, wView);
        g.gradientForVariable().put(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, rView);
        g.gradientForVariable().put(LSTMParamInitializer.BIAS_KEY, bView);
        weightNoiseParams.clear();
        return new Pair<>(g, backpropDropOutIfPresent(dx));
    }

    /** ND4J's {@code lstmLayer_bp} (its own loop of small operations per time step). */
    private void nd4jBackward(INDArray x, INDArray epsilon, INDArray dx, INDArray dW, INDArray dR, INDArray dB) {
        long b = x.size(0), n = layerConf().getNOut();
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, b, n);
        Nd4j.exec(op("lstmLayer_bp", false).addInputs(x, kerasGates(getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY)),
                        kerasGates(getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY)),
                        kerasGates(row(getParam(LSTMParamInitializer.BIAS_KEY))).reshape(4 * n), zeros, zeros, NdArrays.contiguous(epsilon))
                .addOutputs(dx, dW, dR, dB, Nd4j.createUninitialized(DataType.FLOAT, b, n), Nd4j.createUninitialized(DataType.FLOAT, b, n)).build());
    }

    /**
     * Backpropagation through time from this step's outputs {@code hs} ([t, b, n]; no carried state, zero initial
     * state), in Keras' gate order. The gate pre-activations are recomputed from x and the outputs in two matrix
     * products over all time steps (h is known for every step, so nothing here is sequential) and activated by ND4J
     * operations; the cell states and the gate gradients are one pass per time step in Java arrays, and the only
     * sequential product is dh(t−1) = dpre(t)·Rᵀ; the weight, bias and input gradients are then one product each over
     * all steps. ND4J's {@code lstmLayer_bp} does all of it as small operations per time step: 19 of a 22 ms training
     * step for the bench's LSTM(64) on 20×8 sequences, batch 64. Arrays are time-major ([t, b, ...]) inside.
     */
    private void bptt(INDArray x, INDArray hs, INDArray eps, INDArray dx, INDArray dW, INDArray dR, INDArray dB) {
        int b = (int) x.size(0), t = (int) x.size(1), nIn = (int) x.size(2), n = (int) hs.size(2), g4 = 4 * n, bn = b * n;
        INDArray w = kerasGates(getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY));       // [nIn, 4n]
        INDArray r = kerasGates(getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY));   // [n, 4n]
        INDArray bias = kerasGates(row(getParam(LSTMParamInitializer.BIAS_KEY)));       // [1, 4n]
        INDArray xs = x.permute(1, 0, 2).dup('c').reshape('c', (long) t * b, nIn);     // time-major rows
        INDArray hPrev = Nd4j.zeros(DataType.FLOAT, t, b, n);                            // h(t-1), zero at t = 0
        if (t > 1) hPrev.get(NDArrayIndex.interval(1, t)).assign(hs.get(NDArrayIndex.interval(0, t - 1)));
        INDArray hPrev2 = hPrev.reshape('c', (long) t * b, n);
        // gate pre-activations for every step, then their activations: sigmoid for i, f, o, tanh for the cell's
        INDArray act = Nd4j.createUninitialized(DataType.FLOAT, (long) t * b, g4);
        Nd4j.gemm(xs, w, act, false, false, 1.0, 0.0);
        Nd4j.gemm(hPrev2, r, act, false, false, 1.0, 1.0);
        act.addiRowVector(bias);
        INDArray cellGate = act.get(NDArrayIndex.all(), NDArrayIndex.interval(2L * n, 3L * n));
        INDArray tanhG = org.nd4j.linalg.ops.transforms.Transforms.tanh(cellGate, true);
        org.nd4j.linalg.ops.transforms.Transforms.sigmoid(act, false);
        cellGate.assign(tanhG);
        float[] a = NdArrays.floats(act);
        // cell states, step by step
        float[] c = new float[t * bn];
        for (int ti = 0; ti < t; ti++)
            for (int bi = 0; bi < b; bi++) {
                int row = (ti * b + bi) * g4, at = (ti * b + bi) * n, prev = at - bn;
                for (int j = 0; j < n; j++) {
                    float cp = ti > 0 ? c[prev + j] : 0f;
                    c[at + j] = a[row + n + j] * cp + a[row + j] * a[row + 2 * n + j];
                }
            }
        float[] tc = NdArrays.floats(org.nd4j.linalg.ops.transforms.Transforms.tanh(NdArrays.of(c, new long[]{c.length}), false));
        float[] e = NdArrays.floats(eps.permute(1, 0, 2));                     // dL/dh, time-major
        // gate gradients, from the last step back; dh(t-1) = dpre(t)·Rᵀ is the one sequential product
        float[] dpre = new float[t * b * g4], dhNext = new float[bn], dcNext = new float[bn];
        INDArray dpStep = Nd4j.createUninitialized(DataType.FLOAT, b, g4), dhStep = Nd4j.createUninitialized(DataType.FLOAT, b, n);
        java.nio.FloatBuffer dpBuf = dpStep.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        java.nio.FloatBuffer dhBuf = dhStep.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        for (int ti = t - 1; ti >= 0; ti--) {
            for (int bi = 0; bi < b; bi++) {
                int row = (ti * b + bi) * g4, at = (ti * b + bi) * n, k0 = bi * n;
                for (int j = 0; j < n; j++) {
                    float i = a[row + j], f = a[row + n + j], g = a[row + 2 * n + j], o = a[row + 3 * n + j];
                    float th = tc[at + j], cp = ti > 0 ? c[at - bn + j] : 0f;
                    float dh = e[at + j] + dhNext[k0 + j];
                    float dc = dh * o * (1f - th * th) + dcNext[k0 + j];
                    dpre[row + j] = dc * g * i * (1f - i);
                    dpre[row + n + j] = dc * cp * f * (1f - f);
                    dpre[row + 2 * n + j] = dc * i * (1f - g * g);
                    dpre[row + 3 * n + j] = dh * th * o * (1f - o);
                    dcNext[k0 + j] = dc * f;
                }
            }
            if (ti > 0) {
                dpBuf.clear();
                dpBuf.put(dpre, ti * b * g4, b * g4);
                Nd4j.gemm(dpStep, r, dhStep, false, true, 1.0, 0.0);
                dhBuf.clear();
                dhBuf.get(dhNext, 0, bn);
            }
        }
        INDArray dp = NdArrays.of(dpre, new long[]{(long) t * b, g4});
        Nd4j.gemm(xs, dp, dW, true, false, 1.0, 0.0);
        Nd4j.gemm(hPrev2, dp, dR, true, false, 1.0, 0.0);
        dB.assign(dp.sum(0));
        INDArray dxs = Nd4j.createUninitialized(DataType.FLOAT, (long) t * b, nIn);
        Nd4j.gemm(dp, w, dxs, false, true, 1.0, 0.0);
        dx.assign(dxs.reshape('c', t, b, nIn).permute(1, 0, 2));
    }

    @Override
    public void clear() {
        super.clear();
        stepH.clear();
    }
}
