package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.kerasport.dl4j.FastPaths;
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
 * {@code lstmLayer} op (oneDNN's LSTM) and its backward pass {@code lstmLayer_bp}, instead of DL4J's loop of about
 * forty small operations per time step. Those ops take Keras' gate order (input, forget, cell, output); DL4J's
 * parameters keep theirs (blocks 3, 1, 0, 2 of DL4J's are Keras' 0, 1, 2, 3), so the weights are reordered for each
 * call and the gradients back. Everything else (masks, hard-sigmoid gates, rnnTimeStep, truncated BPTT, one input
 * feature or one unit, where ND4J's oneDNN op computes wrong values) is DL4J's own LSTM.
 */
public class KerasLSTMImpl extends LSTM {
    /** DL4J's gate block for each of Keras' (input, forget, cell, output). */
    private static final int[] DL4J_BLOCK = {3, 1, 0, 2};

    public KerasLSTMImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fused() {
        var c = layerConf();
        return FastPaths.oneDnn() && !"dl4j".equals(System.getProperty("kerasport.lstm")) && dataType == DataType.FLOAT
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
        return h;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fused()) return super.backpropGradient(epsilon, workspaceMgr);
        INDArray x = NdArrays.contiguous(input);
        long b = x.size(0), t = x.size(1), nIn = x.size(2), n = layerConf().getNOut();
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, b, n);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[]{b, t, nIn}, 'c');
        INDArray dW = Nd4j.createUninitialized(DataType.FLOAT, nIn, 4 * n), dR = Nd4j.createUninitialized(DataType.FLOAT, n, 4 * n),
                dB = Nd4j.createUninitialized(DataType.FLOAT, 4 * n);
        Nd4j.exec(op("lstmLayer_bp", false).addInputs(x, kerasGates(getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY)),
                        kerasGates(getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY)),
                        kerasGates(row(getParam(LSTMParamInitializer.BIAS_KEY))).reshape(4 * n), zeros, zeros, NdArrays.contiguous(epsilon))
                .addOutputs(dx, dW, dR, dB, Nd4j.createUninitialized(DataType.FLOAT, b, n), Nd4j.createUninitialized(DataType.FLOAT, b, n)).build());
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
}
