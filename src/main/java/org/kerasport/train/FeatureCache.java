package org.kerasport.train;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.kerasport.dl4j.GraphPasses;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Frozen-prefix feature caching: when the vertices between the inputs and the first trainable layer are frozen and
 * deterministic in training (the vertices that need no backward pass, {@link GraphPasses#noBackward}, with no dropout,
 * noise or activity regularizer among them; frozen BatchNormalization runs in inference mode), the outputs of the last
 * of them (the "boundary": those a trainable vertex reads) are computed once per row, in the first step that sees the
 * row, and kept; a later step whose rows are all kept takes the boundary outputs from the cache and computes none of
 * the prefix. What the trainable part receives is the array the prefix computed for the same row, so a run whose
 * batches repeat (shuffle off) is equal to one without the cache bit for bit; with shuffling a row's features were
 * computed in another batch, which changes them by at most float rounding where the BLAS kernel's summation order
 * depends on the batch's size. The cache lives in the Java heap up to a budget (a quarter of the maximum heap, or
 * {@code -Dkerasport.featureCache.maxBytes}); beyond it the run trains without the cache (not yet spilled to disk).
 * The trainer turns it on only around its training steps, so validation and prediction compute the whole graph.
 */
final class FeatureCache implements GraphPasses.ForwardSource {
    private final List<GraphPasses.NoBackwardVertex> prefix = new ArrayList<>();
    private final Map<String, Store> boundary = new HashMap<>();
    private final int rows;
    private final long budget;
    private final BitSet filled;
    private int[] batch;
    private boolean serving;
    private long computedRows, servedRows;
    private String refused;

    private static final class Store {
        long[] shape;          // of one batch; shape[0] replaced per batch
        int perRow;
        float[] data;
    }

    private FeatureCache(int rows, long budget) {
        this.rows = rows;
        this.budget = budget;
        this.filled = new BitSet(rows);
    }

    /**
     * The cache for training {@code g} on {@code rows} rows, or a sentence saying why there is none (as a cache whose
     * {@link #usable()} is false).
     */
    static FeatureCache of(ComputationGraph g, int rows) {
        String max = System.getProperty("kerasport.featureCache.maxBytes");
        long budget = max != null ? Long.parseLong(max.strip()) : Runtime.getRuntime().maxMemory() / 4;
        FeatureCache c = new FeatureCache(rows, budget);
        GraphVertex[] vs = g.getVertices();
        boolean[] dead = new boolean[vs.length];
        for (GraphVertex v : vs) if (v instanceof GraphPasses.NoBackwardVertex n) dead[v.getVertexIndex()] = true;
        for (GraphVertex v : vs) {
            if (!(v instanceof GraphPasses.NoBackwardVertex n)) continue;
            GraphVertex u = n.vertex();
            if (u.hasLayer()) {
                var conf = u.getLayer().conf().getLayer();
                // dropout, weight noise, augmentation (a new draw each epoch: caching would replay epoch 1's images)
                if (conf.getIDropout() != null || conf instanceof org.kerasport.dl4j.layers.KerasRandomTransform
                        || conf instanceof org.deeplearning4j.nn.conf.layers.BaseLayer bl && bl.getWeightNoise() != null)
                    return c.refuse("'" + u.getVertexName() + "' draws random numbers in training");
                if (conf instanceof org.kerasport.dl4j.layers.ActivityRegularization)
                    return c.refuse("'" + u.getVertexName() + "' adds an activity penalty to the loss");
            }
            c.prefix.add(n);
            boolean read = false;
            if (v.getOutputVertices() != null) for (var o : v.getOutputVertices()) read |= !dead[o.getVertexIndex()];
            if (read) c.boundary.put(v.getVertexName(), new Store());
        }
        if (c.boundary.isEmpty()) return c.refuse("no frozen prefix before a trainable layer");
        return c;
    }

    private FeatureCache refuse(String why) {
        refused = why;
        prefix.clear();
        boundary.clear();
        return this;
    }

    boolean usable() {
        return refused == null;
    }

    /** Serves or fills the prefix for the step on these rows (of the training data), until {@link #end()}. */
    void begin(int[] batchRows) {
        if (!usable()) return;
        batch = batchRows;
        boolean all = true;
        for (int r : batchRows) all &= filled.get(r);
        serving = all;
        for (GraphPasses.NoBackwardVertex n : prefix) n.forwardSource(this);
    }

    /** Back to computing the whole graph; the rows of a filling step count as kept. */
    void end() {
        if (batch == null) return;
        for (GraphPasses.NoBackwardVertex n : prefix) n.forwardSource(null);
        if (refused != null) for (Store t : boundary.values()) t.data = null; // refused while filling: train without it
        else if (!serving) for (int r : batch) filled.set(r);
        if (serving) servedRows += batch.length;
        else computedRows += batch.length;
        batch = null;
    }

    @Override
    public INDArray forward(GraphPasses.NoBackwardVertex v, boolean training, LayerWorkspaceMgr ws) {
        Store s = boundary.get(v.getVertexName());
        if (!serving) {
            INDArray out = v.computeForward(training, ws);
            if (s != null && refused == null) keep(v.getVertexName(), s, out);
            return out;
        }
        if (s == null) return ws.create(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[]{1}, 'c'); // nothing reads it
        long[] shape = s.shape.clone();
        shape[0] = batch.length;
        float[] b = new float[batch.length * s.perRow];
        for (int i = 0; i < batch.length; i++) System.arraycopy(s.data, batch[i] * s.perRow, b, i * s.perRow, s.perRow);
        INDArray out = ws.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, shape, 'c');
        out.assign(Nd4j.create(b, shape, 'c'));
        return out;
    }

    private void keep(String name, Store s, INDArray out) {
        if (out.dataType() != DataType.FLOAT || out.size(0) != batch.length) {
            refused = "'" + name + "' gives no float rows";
            return;
        }
        if (s.data == null) {
            s.shape = out.shape().clone();
            s.perRow = (int) (out.length() / out.size(0));
            long bytes = 0;
            for (Store t : boundary.values()) bytes += t.data == null ? 0 : (long) t.data.length * 4;
            bytes += (long) rows * s.perRow * 4;
            if (bytes > budget || (long) rows * s.perRow > Integer.MAX_VALUE - 8) {
                refused = "the features (" + mb(bytes) + ") exceed the cache budget (" + mb(budget) + ")";
                return;
            }
            s.data = new float[rows * s.perRow];
        }
        float[] f = out.dup('c').data().asFloat();
        for (int i = 0; i < batch.length; i++) System.arraycopy(f, i * s.perRow, s.data, batch[i] * s.perRow, s.perRow);
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** One sentence for the run's summary. */
    String summary() {
        if (refused != null && computedRows + servedRows == 0) return "off (" + refused + ")";
        if (refused != null) return "off after the first rows (" + refused + ")";
        long bytes = 0;
        for (Store t : boundary.values()) bytes += t.data == null ? 0 : (long) t.data.length * 4;
        long all = computedRows + servedRows;
        return String.format(java.util.Locale.ROOT, "on: the frozen prefix (%d vertices) ran for %d of %d row-steps; the other %d "
                        + "(%.0f %%) read its outputs (%d arrays, %s) from the cache", prefix.size(), computedRows, all, servedRows,
                all == 0 ? 0.0 : 100.0 * servedRows / all, boundary.size(), mb(bytes));
    }
}
