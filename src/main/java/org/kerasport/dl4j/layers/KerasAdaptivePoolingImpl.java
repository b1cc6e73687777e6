package org.kerasport.dl4j.layers;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runtime side of {@link KerasAdaptivePooling}: pools one spatial axis after the other. Backward: the mean spreads
 * each output gradient evenly over its window; the max sends it to the window's maximum (as TF's max-pool gradient,
 * for inputs without ties inside a window).
 */
public class KerasAdaptivePoolingImpl extends ParamFreeLayerImpl<KerasAdaptivePooling> {
    public KerasAdaptivePoolingImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return input != null && input.rank() == 5 ? Type.CONVOLUTIONAL3D : Type.CONVOLUTIONAL;
    }

    private static INDArrayIndex[] along(int rank, int axis, long from, long to) {
        INDArrayIndex[] ix = new INDArrayIndex[rank];
        for (int k = 0; k < rank; k++) ix[k] = k == axis ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
        return ix;
    }

    /** x pooled along one axis to out cells. */
    private INDArray poolAxis(INDArray x, int axis, int out) {
        int in = (int) x.size(axis);
        long[] shape = x.shape().clone();
        shape[axis] = out;
        INDArray y = Nd4j.create(x.dataType(), shape);
        for (int i = 0; i < out; i++) {
            INDArray w = x.get(along(x.rank(), axis, KerasAdaptivePooling.start(i, in, out), KerasAdaptivePooling.end(i, in, out)));
            INDArray r = layerConf().isMax() ? w.max(true, axis) : w.mean(true, axis);
            y.get(along(x.rank(), axis, i, i + 1)).assign(r);
        }
        return y;
    }

    /** The input and each axis' intermediate result: stages.get(k) is the input of axis k + 1's pooling. */
    private List<INDArray> forward(INDArray x) {
        List<INDArray> stages = new ArrayList<>();
        stages.add(x);
        int[] o = layerConf().getOutputSize();
        for (int k = 0; k < o.length; k++) stages.add(poolAxis(stages.get(k), k + 1, o[k]));
        return stages;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        List<INDArray> s = forward(input.castTo(dataType));
        INDArray y = s.get(s.size() - 1);
        return mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, y.shape(), 'c').assign(y);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        List<INDArray> s = forward(input.castTo(dataType));
        INDArray g = epsilon.castTo(dataType);
        int[] o = layerConf().getOutputSize();
        for (int k = o.length - 1; k >= 0; k--) {
            INDArray x = s.get(k), y = s.get(k + 1);
            int axis = k + 1, in = (int) x.size(axis);
            INDArray gx = Nd4j.zeros(x.dataType(), x.shape());
            for (int i = 0; i < o[k]; i++) {
                int a = KerasAdaptivePooling.start(i, in, o[k]), b = KerasAdaptivePooling.end(i, in, o[k]);
                INDArray target = gx.get(along(x.rank(), axis, a, b));
                INDArray gi = g.get(along(g.rank(), axis, i, i + 1)).broadcast(target.shape());
                if (layerConf().isMax()) {
                    INDArray w = x.get(along(x.rank(), axis, a, b));
                    INDArray hit = w.eq(y.get(along(y.rank(), axis, i, i + 1)).broadcast(w.shape())).castTo(x.dataType());
                    target.addi(hit.muli(gi));
                } else {
                    target.addi(gi.div(b - a));
                }
            }
            g = gx;
        }
        return new Pair<>(new DefaultGradient(), mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, g.shape(), 'c').assign(g));
    }
}
