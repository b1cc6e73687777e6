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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Runtime side of {@link KerasPReLU}: y = relu(x) − alpha·relu(−x), as Keras writes it, so at x = 0 both the output
 * and TensorFlow's gradient (relu'(0) = 0) are 0; dL/dalpha sums −relu(−x)·dL/dy over the axes alpha is shared on.
 */
public class KerasPReLUImpl extends BaseLayer<PReLULayer> {
    public KerasPReLUImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    /** alpha with a leading batch axis of 1, broadcastable against the input. */
    private INDArray alpha(INDArray x) {
        INDArray a = getParam(PReLUParamInitializer.WEIGHT_KEY);
        long[] s = new long[x.rank()];
        s[0] = 1;
        long[] as = a.shape();
        int off = x.rank() - as.length;
        for (int i = 1; i < s.length; i++) s[i] = i - off >= 0 && i - off < as.length ? as[i - off] : 1;
        return a.reshape('c', s).castTo(x.dataType());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        INDArray x = input.castTo(dataType);
        INDArray neg = Transforms.relu(x.neg(), false);                 // relu(−x)
        INDArray y = Transforms.relu(x, true).subi(neg.mul(alpha(x)));  // relu(x) − alpha·relu(−x)
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        return out.assign(y);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray x = input.castTo(dataType), eps = epsilon.castTo(dataType);
        INDArray a = alpha(x);
        INDArray pos = x.gt(0).castTo(dataType), negMask = x.lt(0).castTo(dataType);
        INDArray dx = eps.mul(pos.addi(negMask.mul(a)));
        // dL/dalpha = Σ over broadcast axes of dL/dy · (−relu(−x))
        INDArray contrib = eps.mul(Transforms.relu(x.neg(), false)).negi();
        INDArray gView = gradientViews.get(PReLUParamInitializer.WEIGHT_KEY);
        long[] as = a.shape();
        int[] sumAxes = java.util.stream.IntStream.range(0, as.length).filter(i -> as[i] == 1 && x.size(i) != 1).toArray();
        INDArray g = sumAxes.length == 0 ? contrib : contrib.sum(true, sumAxes);
        gView.assign(g.reshape('c', gView.shape()));
        Gradient grad = new DefaultGradient();
        grad.setGradientFor(PReLUParamInitializer.WEIGHT_KEY, gView, 'c');
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        return new Pair<>(grad, backpropDropOutIfPresent(out.assign(dx)));
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
