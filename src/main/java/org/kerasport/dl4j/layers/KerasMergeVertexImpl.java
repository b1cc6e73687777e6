package org.kerasport.dl4j.layers;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.GreaterThanOrEqual;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LessThanOrEqual;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Runtime side of {@link KerasMergeVertex}. */
public class KerasMergeVertexImpl extends ParamFreeVertexImpl {
    private final String op;
    private final int axis;

    public KerasMergeVertexImpl(ComputationGraph graph, String name, int vertexIndex, String op, int axis, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.op = op;
        this.axis = axis;
    }

    /** The inputs with size-1 axes inserted after the batch axis up to the largest rank (Keras' expand_dims(x, 1)). */
    private INDArray[] ranked() {
        int rank = 0;
        for (INDArray x : inputs) rank = Math.max(rank, x.rank());
        INDArray[] r = new INDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            INDArray x = inputs[i].castTo(dataType);
            if (x.rank() < rank) {
                long[] s = new long[rank];
                java.util.Arrays.fill(s, 1);
                s[0] = x.size(0);
                for (int d = 1; d < x.rank(); d++) s[rank - x.rank() + d] = x.size(d);
                x = x.reshape('c', s);
            }
            r[i] = x;
        }
        return r;
    }

    private int concatAxis(int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) throw new IllegalStateException("Cannot do forward pass: inputs not set");
        INDArray[] x = ranked();
        if (op.equals("concat")) {
            int ax = concatAxis(x[0].rank());
            long[] shape = x[0].shape().clone();
            shape[ax] = 0;
            for (INDArray a : x) shape[ax] += a.size(ax);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, shape, 'c');
            long at = 0;
            for (INDArray a : x) {
                out.get(slice(shape.length, ax, at, at + a.size(ax))).assign(a);
                at += a.size(ax);
            }
            return out;
        }
        INDArray acc = x[0];
        for (int k = 1; k < x.length; k++) acc = step(acc, x[k]);
        if (op.equals("average")) acc = acc.div(x.length);
        if (x.length == 1) acc = acc.dup('c');
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, acc);
    }

    /** One left fold step: a op b, broadcast, in a new array. */
    private INDArray step(INDArray a, INDArray b) {
        long[] shape = Shape.broadcastOutputShape(a.shape(), b.shape());
        INDArray out = Nd4j.createUninitialized(dataType, shape, 'c');
        INDArray aa = expand(a, shape), bb = expand(b, shape);
        switch (op) {
            case "add", "average" -> out.assign(aa).addi(bb);
            case "subtract" -> out.assign(aa).subi(bb);
            case "multiply" -> out.assign(aa).muli(bb);
            case "maximum" -> out.assign(Transforms.max(aa, bb, true));
            case "minimum" -> out.assign(Transforms.min(aa, bb, true));
            default -> throw new IllegalStateException("unknown merge op " + op);
        }
        return out;
    }

    /** {@code a} broadcast to {@code shape} (itself when it has that shape already). */
    private static INDArray expand(INDArray a, long[] shape) {
        if (java.util.Arrays.equals(a.shape(), shape)) return a;
        return a.broadcast(shape);
    }

    /** Sums {@code g} over the axes where {@code shape} has size 1 and g does not (the gradient of a broadcast). */
    private static INDArray reduceTo(INDArray g, long[] shape) {
        if (java.util.Arrays.equals(g.shape(), shape)) return g;
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) if (shape[d] == 1 && g.size(d) != 1) dims.add(d);
        int[] dd = dims.stream().mapToInt(Integer::intValue).toArray();
        return g.sum(true, dd).reshape(shape);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) throw new IllegalStateException("Cannot do backward pass: errors not set");
        INDArray[] x = ranked();
        INDArray[] grads = new INDArray[x.length];
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            if (op.equals("concat")) {
                int ax = concatAxis(x[0].rank());
                long at = 0;
                for (int i = 0; i < x.length; i++) {
                    grads[i] = epsilon.get(slice(epsilon.rank(), ax, at, at + x[i].size(ax))).dup('c');
                    at += x[i].size(ax);
                }
            } else {
                // the left fold's partial results p0 = x0, pk = p(k-1) op xk, then TensorFlow's gradient of each step
                INDArray[] p = new INDArray[x.length];
                p[0] = x[0];
                for (int k = 1; k < x.length; k++) p[k] = step(p[k - 1], x[k]);
                INDArray g = op.equals("average") ? epsilon.div(x.length) : epsilon;
                for (int k = x.length - 1; k >= 1; k--) {
                    INDArray a = expand(p[k - 1], g.shape()), b = expand(x[k], g.shape());
                    INDArray ga, gb;
                    switch (op) {
                        case "add", "average" -> { ga = g; gb = g; }
                        case "subtract" -> { ga = g; gb = g.neg(); }
                        case "multiply" -> { ga = g.mul(b); gb = g.mul(a); }
                        case "maximum", "minimum" -> {
                            INDArray left = Nd4j.createUninitialized(DataType.BOOL, g.shape(), 'c');
                            if (op.equals("maximum")) Nd4j.exec(new GreaterThanOrEqual(new INDArray[]{a, b}, new INDArray[]{left}));
                            else Nd4j.exec(new LessThanOrEqual(new INDArray[]{a, b}, new INDArray[]{left}));
                            INDArray m = left.castTo(g.dataType());
                            ga = g.mul(m);
                            gb = g.sub(ga);
                        }
                        default -> throw new IllegalStateException("unknown merge op " + op);
                    }
                    grads[k] = reduceTo(gb, x[k].shape());
                    g = reduceTo(ga, p[k - 1].shape());
                }
                grads[0] = g;
            }
            for (int i = 0; i < grads.length; i++) {
                grads[i] = grads[i].reshape('c', inputs[i].shape()).dup('c'); // a new array in the borrowed gradient workspace
            }
        }
        return new Pair<>(null, grads);
    }

    private static INDArrayIndex[] slice(int rank, int ax, long from, long to) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int d = 0; d < rank; d++) idx[d] = d == ax ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
        return idx;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
        if (maskArrays != null) for (INDArray m : maskArrays) if (m != null) return new Pair<>(m, currentMaskState);
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public String toString() {
        return "KerasMergeVertex(" + getVertexName() + ", " + op + ")";
    }
}
