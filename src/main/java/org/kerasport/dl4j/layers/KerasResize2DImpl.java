package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runtime side of {@link KerasResize2D}: y = A_h · x · A_wᵀ per example and channel (NHWC). */
public class KerasResize2DImpl extends ParamFreeLayerImpl<KerasResize2D> {
    public KerasResize2DImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    private INDArray[] matrices(DataType dt) {
        float[][][] m = layerConf().matrices((int) input.size(1), (int) input.size(2));
        return new INDArray[]{Nd4j.create(m[0]).castTo(dt), Nd4j.create(m[1]).castTo(dt)};
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray[] m = matrices(dataType);
        INDArray y = BilinearUpsampling2DImpl.resize(input.castTo(dataType), m[0], m[1]);
        return mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, y.shape(), 'c').assign(y);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray[] m = matrices(dataType);
        INDArray g = BilinearUpsampling2DImpl.resize(epsilon.castTo(dataType), m[0].transpose().dup('c'), m[1].transpose().dup('c'));
        return new Pair<>(new DefaultGradient(), mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, g.shape(), 'c').assign(g));
    }
}
