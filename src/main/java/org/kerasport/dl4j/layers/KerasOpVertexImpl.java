package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Runtime side of {@link KerasOpVertex}. */
public class KerasOpVertexImpl extends ParamFreeVertexImpl {
    private final KerasOpVertex conf;

    public KerasOpVertexImpl(ComputationGraph graph, String name, int vertexIndex, KerasOpVertex conf, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.conf = conf;
    }

    private int[] axes(long rank) {
        int[] a = conf.getAxes() == null ? new int[0] : conf.getAxes().clone();
        for (int i = 0; i < a.length; i++) if (a[i] < 0) a[i] += (int) rank;
        return a;
    }

    /** The input's shape with the reduced axes kept as size 1. */
    private long[] keptShape(INDArray in) {
        long[] s = in.shape().clone();
        for (int a : axes(in.rank())) s[a] = 1;
        return s;
    }

    private INDArray flag(INDArray booleans) {
        return booleans.castTo(inputs[0].dataType());
    }

    private INDArray reduced(INDArray r, INDArray in) {
        return conf.isKeepDims() ? r.reshape(keptShape(in)) : r;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) throw new IllegalStateException("Cannot do forward pass: inputs not set");
        INDArray x = inputs[0];
        double c = conf.getConstant();
        INDArray out = switch (conf.getOp()) {
            case "not_equal" -> flag(x.neq(c));
            case "equal" -> flag(x.eq(c));
            case "greater" -> flag(x.gt(c));
            case "greater_equal" -> flag(x.gte(c));
            case "less" -> flag(x.lt(c));
            case "less_equal" -> flag(x.lte(c));
            case "logical_not" -> flag(x.eq(0));
            case "cast_bool" -> flag(x.neq(0));
            case "cast_int" -> Transforms.sign(x, true).muli(Transforms.floor(Transforms.abs(x, true), false));
            case "cast_float" -> x.dup();
            case "any" -> reduced(flag(x.neq(0)).max(axes(x.rank())), x);
            case "all" -> reduced(flag(x.neq(0)).min(axes(x.rank())), x);
            case "sum" -> reduced(x.sum(axes(x.rank())), x);
            case "mean" -> reduced(x.mean(axes(x.rank())), x);
            case "max" -> reduced(x.max(axes(x.rank())), x);
            case "min" -> reduced(x.min(axes(x.rank())), x);
            case "append_mask" -> {
                INDArray m = inputs[1].reshape(inputs[1].size(0), inputs[1].size(1), 1).castTo(x.dataType());
                yield Nd4j.concat(2, x, m);
            }
            case "apply_mask" -> x.mul(inputs[1].reshape(inputs[1].size(0), inputs[1].size(1), 1).castTo(x.dataType()));
            default -> throw new IllegalStateException("operation " + conf.getOp());
        };
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) throw new IllegalStateException("Cannot do backward pass: errors not set");
        INDArray x = inputs[0];
        INDArray[] eps = new INDArray[inputs.length];
        for (int i = 0; i < eps.length; i++) eps[i] = Nd4j.zeros(inputs[i].dataType(), inputs[i].shape());
        switch (conf.getOp()) {
            case "cast_float" -> eps[0] = epsilon.dup();
            case "sum", "mean" -> {
                INDArray e = epsilon.reshape(keptShape(x)).broadcast(x.shape());
                if (conf.getOp().equals("mean")) e = e.div(x.length() / Math.max(1, epsilon.length()));
                eps[0] = e.dup();
            }
            case "max", "min" -> {
                INDArray r = (conf.getOp().equals("max") ? x.max(true, axes(x.rank())) : x.min(true, axes(x.rank())));
                INDArray at = flag(x.eq(r.broadcast(x.shape())));
                eps[0] = at.muli(epsilon.reshape(keptShape(x)).broadcast(x.shape()));
            }
            case "append_mask" -> eps[0] = epsilon.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, x.size(2))).dup();
            case "apply_mask" -> eps[0] = epsilon.mul(inputs[1].reshape(inputs[1].size(0), inputs[1].size(1), 1).castTo(x.dataType()));
            default -> {
                // comparisons, logical ops, casts to bool/int: Keras' result has no gradient
            }
        }
        for (int i = 0; i < eps.length; i++) eps[i] = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, eps[i]);
        return new Pair<>(null, eps);
    }

    @Override
    public String toString() {
        return "KerasOpVertex(" + getVertexName() + ", " + conf.getOp() + ")";
    }
}
