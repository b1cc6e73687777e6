package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Runtime side of {@link KerasSpatialPad}: copies the overlap of input and output windows; zeros elsewhere. */
public class KerasSpatialPadImpl extends ParamFreeLayerImpl<KerasSpatialPad> {
    public KerasSpatialPadImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL3D;
    }

    /** Copies {@code from} into a zero array of {@code shape}, {@code from}'s cell i of axis k going to i + shift[k]. */
    private static void copy(INDArray from, INDArray to, int[] shift) {
        int rank = from.rank();
        INDArrayIndex[] src = new INDArrayIndex[rank], dst = new INDArrayIndex[rank];
        src[0] = dst[0] = NDArrayIndex.all();
        src[rank - 1] = dst[rank - 1] = NDArrayIndex.all();
        for (int k = 1; k < rank - 1; k++) {
            int s = shift[k - 1];
            long lo = Math.max(0, -s), hi = Math.min(from.size(k), to.size(k) - s);
            src[k] = NDArrayIndex.interval(lo, hi);
            dst[k] = NDArrayIndex.interval(lo + s, hi + s);
        }
        to.get(dst).assign(from.get(src));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        KerasSpatialPad c = layerConf();
        long[] shape = input.shape().clone();
        for (int k = 1; k < shape.length - 1; k++) shape[k] += c.getBefore()[k - 1] + c.getAfter()[k - 1];
        INDArray out = mgr.create(ArrayType.ACTIVATIONS, dataType, shape, 'c');
        out.assign(0);
        copy(input.castTo(dataType), out, c.getBefore());
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        int[] back = layerConf().getBefore().clone();
        for (int k = 0; k < back.length; k++) back[k] = -back[k];
        INDArray g = mgr.create(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        g.assign(0);
        copy(epsilon.castTo(dataType), g, back);
        return new Pair<>(new DefaultGradient(), g);
    }
}
