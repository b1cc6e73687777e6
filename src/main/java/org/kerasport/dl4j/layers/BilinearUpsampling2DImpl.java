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

/** Runtime side of {@link BilinearUpsampling2D}: y = A_h · x · A_wᵀ per example and channel (NHWC). */
public class BilinearUpsampling2DImpl extends ParamFreeLayerImpl<BilinearUpsampling2D> {
    public BilinearUpsampling2DImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    private INDArray matrix(long in, int axis, DataType dt) {
        BilinearUpsampling2D c = layerConf();
        return Nd4j.create(BilinearUpsampling2D.weights((int) in, c.getSize()[axis], c.isHalfPixelCenters())).castTo(dt);
    }

    /** Applies mh (on axis 1) and mw (on axis 2) to an NHWC array. */
    static INDArray resize(INDArray x, INDArray mh, INDArray mw) {
        long n = x.size(0), h = x.size(1), w = x.size(2), ch = x.size(3);
        long ho = mh.size(0), wo = mw.size(0);
        INDArray t = x.permute(1, 0, 2, 3).dup('c').reshape('c', h, n * w * ch);           // [H, N·W·C]
        t = mh.mmul(t).reshape('c', ho, n, w, ch);                                          // [Ho, N, W, C]
        t = t.permute(2, 1, 0, 3).dup('c').reshape('c', w, n * ho * ch);                    // [W, N·Ho·C]
        t = mw.mmul(t).reshape('c', wo, n, ho, ch);                                         // [Wo, N, Ho, C]
        return t.permute(1, 2, 0, 3);                                                       // [N, Ho, Wo, C]
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray x = input.castTo(dataType);
        INDArray y = resize(x, matrix(x.size(1), 0, dataType), matrix(x.size(2), 1, dataType));
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, y.shape(), 'c');
        return out.assign(y);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray g = resize(epsilon.castTo(dataType), matrix(input.size(1), 0, dataType).transpose().dup('c'),
                matrix(input.size(2), 1, dataType).transpose().dup('c'));
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, g.shape(), 'c');
        return new Pair<>(new DefaultGradient(), out.assign(g));
    }
}
