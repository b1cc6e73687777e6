package org.kerasport.dl4j;

import java.util.Map;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's ComputationGraphUpdater on DL4J's own standard path. In DL4J 1.0.0-M2.1 a graph's training step always takes
 * the updater's "external gradient" path (meant for gradients computed in another network): the updater tells them
 * apart by object identity, {@code gradient.gradient() != getFlattenedGradientsView()}, and a graph's
 * {@code DefaultGradient.gradient()} returns a new reshaped view of the same array on every call. That path builds
 * two new views of every parameter and its gradient, from a reshape of the whole parameter array, twice per step
 * (before and after the updater), and the mini-batch division's views too: on a small model, a sixth of each step.
 * Here a gradient that is the graph's own gradient array (same buffer, offset and length) is passed on as exactly
 * that array, so the updater uses the views it built once, as it does for a MultiLayerNetwork. The arithmetic is
 * the same; every training-trajectory test runs through this class.
 */
public class GraphUpdater extends ComputationGraphUpdater {
    public GraphUpdater(ComputationGraph graph, INDArray updaterState) {
        super(graph, updaterState);
    }

    /** Gives {@code g} this updater, keeping the state (values and array) of the one it has, if any. */
    public static ComputationGraph install(ComputationGraph g) {
        if (g.getUpdater(false) instanceof GraphUpdater) return g;
        ComputationGraphUpdater old = g.getUpdater(false);
        INDArray state = old == null ? null : old.getStateViewArray();
        g.setUpdater(new GraphUpdater(g, state));
        return g;
    }

    /**
     * The gradient of the rest of a batch, computed elsewhere (by a replica of the graph on the same parameters), that
     * the next update adds to the graph's own before dividing by the rows of both: {@link #gradient()} may wait for it.
     */
    public interface Contribution {
        /** The summed (not yet averaged) gradient of {@link #rows()} rows, in the layout of the graph's gradient array. */
        INDArray gradient();

        int rows();
    }

    private Contribution pending;

    /** Adds {@code c} to the next update only (a training step on part of a batch, the rest being {@code c}'s). */
    public synchronized void addToNextUpdate(Contribution c) {
        pending = c;
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize, LayerWorkspaceMgr workspaceMgr) {
        INDArray view = getFlattenedGradientsView();
        INDArray flat = gradient.gradient();
        if (flat != view && view != null && flat != null && sameValues(flat, view))
            gradient = new OwnGradient(view, gradient);
        Contribution c = pending;
        pending = null;
        if (c != null) {
            if (view == null || !sameValues(gradient.gradient(), view))
                throw new IllegalStateException("a batch split across threads needs the graph's own gradient array");
            view.addi(c.gradient());       // before the mini-batch division: DL4J's gradients are sums over rows
            batchSize += c.rows();
        }
        super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
    }

    /**
     * One training step of {@code g} from a batch gradient computed elsewhere ({@code org.kerasport.spark}: the
     * partitions of a batch on Spark executors): what DL4J's {@code fit} does after its backward pass, on the graph's
     * own updater and in its order. {@code sum} (the summed, not yet averaged, loss gradients of the batch's
     * {@code rows} rows, in the layout of the graph's gradient array) becomes the graph's gradient; the updater divides
     * it by {@code rows}, adds every regularizer's gradient (once, as a single step does) and applies the optimizer and
     * the decoupled weight decay; the parameters move by the result (the step function of DL4J's SGD solver:
     * {@code params -= update}); the listeners hear of the iteration, the iteration count advances, constraints apply.
     * {@code structure} is a gradient of this graph from {@link ComputationGraph#computeGradientAndScore()} (its
     * per-variable views of the gradient array: which variables the layers train, in their order).
     */
    public static void applySummedGradient(ComputationGraph g, org.deeplearning4j.nn.gradient.Gradient structure, INDArray sum, int rows) {
        INDArray view = g.getFlattenedGradients();
        if (view == null || structure.gradient() == null || !sameValues(structure.gradient(), view))
            throw new IllegalStateException("the gradient structure is not this graph's own gradient array");
        if (sum.length() != view.length())
            throw new IllegalArgumentException("a gradient of " + sum.length() + " values for a graph of " + view.length());
        view.assign(sum);
        int iteration = g.getIterationCount(), epoch = g.getEpochCount();
        g.getUpdater().update(structure, iteration, epoch, rows, LayerWorkspaceMgr.noWorkspaces());
        INDArray params = g.params();
        params.subi(view.reshape(view.length()));
        for (org.deeplearning4j.optimize.api.TrainingListener l : g.getListeners()) l.iterationDone(g, iteration, epoch);
        g.getConfiguration().setIterationCount(iteration + 1);
        g.applyConstraints(iteration + 1, epoch);
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) { // as fit's synchronizeIterEpochCounts
            l.setIterationCount(iteration + 1);
            l.setEpochCount(epoch);
        }
    }

    /** The same elements of the same memory, in the same order. */
    private static boolean sameValues(INDArray a, INDArray b) {
        return a.length() == b.length() && a.dataType() == b.dataType() && a.elementWiseStride() == 1 && b.elementWiseStride() == 1
                && a.data().address() + a.offset() * a.data().getElementSize() == b.data().address() + b.offset() * b.data().getElementSize();
    }

    /** The same per-variable gradients, with the graph's gradient array itself as the flattened gradient. */
    private static final class OwnGradient extends DefaultGradient {
        private final INDArray view;

        OwnGradient(INDArray view, Gradient g) {
            super(view);
            this.view = view;
            for (Map.Entry<String, INDArray> e : g.gradientForVariable().entrySet())
                setGradientFor(e.getKey(), e.getValue(), g.flatteningOrderForVariable(e.getKey()));
        }

        @Override
        public INDArray gradient() {
            return view;
        }
    }
}
