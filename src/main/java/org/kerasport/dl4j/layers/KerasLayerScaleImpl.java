package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.PReLUParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runtime side of {@link KerasLayerScale}: y = x · gamma over the last axis; dL/dgamma = Σ over the other axes of x · dL/dy. */
public class KerasLayerScaleImpl extends BaseLayer<PReLULayer> {
    public KerasLayerScaleImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    private static INDArray rows(INDArray a) {
        long c = a.size(a.rank() - 1);
        return a.reshape('c', a.length() / c, c);
    }

    private INDArray gammaRow(DataType dt) {
        INDArray g = getParam(PReLUParamInitializer.WEIGHT_KEY);
        return g.reshape('c', 1, g.length()).castTo(dt);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
        out.assign(input);
        rows(out).muliRowVector(gammaRow(dataType));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray eps = epsilon.castTo(dataType).dup('c');
        INDArray x = input.castTo(dataType).dup('c');
        INDArray gView = gradientViews.get(PReLUParamInitializer.WEIGHT_KEY);
        INDArray g = rows(x).muli(rows(eps)).sum(0);
        gView.assign(g.reshape('c', gView.shape()));
        Gradient grad = new DefaultGradient();
        grad.setGradientFor(PReLUParamInitializer.WEIGHT_KEY, gView, 'c');
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape(), 'c');
        dx.assign(eps);
        rows(dx).muliRowVector(gammaRow(dataType));
        return new Pair<>(grad, dx);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
