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

/** Runtime side of {@link ElementwiseAffine}. */
public class ElementwiseAffineImpl extends ParamFreeLayerImpl<ElementwiseAffine> {
    public ElementwiseAffineImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    private static boolean all(float[] v, float x) {
        if (v == null) return true;
        for (float f : v) if (f != x) return false;
        return true;
    }

    /** Applies op with a per-channel constant: x viewed as [rows, channels]. */
    private static void apply(INDArray x2d, float[] v, char op) {
        if (v.length == 1) {
            switch (op) {
                case '-' -> x2d.subi(v[0]);
                case '/' -> x2d.divi(v[0]);
                case '*' -> x2d.muli(v[0]);
                default -> x2d.addi(v[0]);
            }
            return;
        }
        INDArray row = Nd4j.create(v, new long[]{1, v.length}, 'c').castTo(x2d.dataType());
        switch (op) {
            case '-' -> x2d.subiRowVector(row);
            case '/' -> x2d.diviRowVector(row);
            case '*' -> x2d.muliRowVector(row);
            default -> x2d.addiRowVector(row);
        }
    }

    private static INDArray as2d(INDArray a) {
        long c = a.size(a.rank() - 1);
        return a.reshape('c', a.length() / c, c);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        ElementwiseAffine c = layerConf();
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        out.assign(input);
        INDArray v = as2d(out);
        if (!all(c.getCenter(), 0f)) apply(v, c.getCenter(), '-');
        if (!all(c.getDivisor(), 1f)) apply(v, c.getDivisor(), '/');
        if (!all(c.getScale(), 1f)) apply(v, c.getScale(), '*');
        if (!all(c.getOffset(), 0f)) apply(v, c.getOffset(), '+');
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        ElementwiseAffine c = layerConf();
        INDArray g = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
        g.assign(epsilon);
        INDArray v = as2d(g);
        if (!all(c.getDivisor(), 1f)) apply(v, c.getDivisor(), '/');
        if (!all(c.getScale(), 1f)) apply(v, c.getScale(), '*');
        return new Pair<>(new DefaultGradient(), g);
    }
}
