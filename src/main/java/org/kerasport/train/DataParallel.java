package org.kerasport.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.dl4j.GraphPasses;
import org.kerasport.dl4j.GraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training step on the two halves of a batch at once, one per core: the graph trains on the first half while a
 * replica of it (the same parameter array, its own activations and gradient) computes the gradient of the second
 * half on a helper thread; the graph's update then adds that gradient to its own and divides by the rows of both.
 * DL4J's gradients are sums over rows, so this is the whole batch's gradient, summed in another order: the same
 * step up to float rounding (about 1e-6 relative), and the same from run to run and machine to machine, since
 * whether and where a batch is split depends only on the model, the number of rows, the batch size and the epoch.
 *
 * <p>ND4J runs each operation on one thread here (bin/kerasport: one OpenMP thread on 2 cores, bench/RESULTS.md),
 * so a convolution otherwise leaves the second core idle: on the bench CNN, once the JIT has compiled both threads'
 * code, an epoch takes 0.4 instead of 0.7 s. Only graphs whose layers treat every row on its own
 * take this path ({@link #eligible}: no batch normalization, no dropout or weight noise, no layers made of SameDiff
 * code, no vertices that mix rows) and that have a convolution: dense-only graphs are chains of BLAS calls, which
 * the two threads only take turns at, and the LSTM bench model gained nothing while its memory grew by 70 %
 * (measured). Batches under {@link #MIN_ROWS} rows, and the first {@link #WHOLE_STEPS} steps ({@link #splitsEpoch}),
 * train whole.
 */
final class DataParallel implements AutoCloseable {
    /** The smallest batch that is split. */
    static final int MIN_ROWS = 16;

    private final ComputationGraph main;
    private final OutputCapture replicaCapture;
    private final ExecutorService thread;
    /** Made, and only ever used, on {@link #thread} (its first task, while the graph starts training). */
    private ComputationGraph replica;
    private final Future<?> made;

    private DataParallel(ComputationGraph main, boolean captureOutputs) {
        this.main = main;
        this.replicaCapture = captureOutputs ? new OutputCapture() : null;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kerasport-replica");
            t.setDaemon(true);
            return t;
        });
        made = thread.submit(() -> {
            ComputationGraph r = new ComputationGraph(main.getConfiguration().clone());
            r.init(main.params(), false); // the very same parameter array: the replica sees every update
            GraphPasses.attachHelpers(r);   // no updater: the replica never updates anything
            if (replicaCapture != null) r.setListeners(replicaCapture);
            replica = r;
        });
    }

    /** A two-thread step for {@code g}, or null when its batches train whole ({@link #eligible}). */
    static DataParallel of(ComputationGraph g, boolean captureOutputs) {
        return eligible(g) ? new DataParallel(g, captureOutputs) : null;
    }

    /**
     * The steps trained whole before batches are split: two threads only pay once the JIT has compiled the training
     * code, and after the switch the split steps take several more epochs to reach their speed (bench CNN, 24 steps
     * an epoch: 0.7 s epochs, 0.4 s some 10 epochs after the switch, whether it comes at the first step or after 192;
     * 4-epoch runs splitting from the second epoch were 0.08 s slower than whole, 4 alternating pairs).
     */
    static final int WHOLE_STEPS = 240;

    /**
     * Whether the batches of epoch {@code epoch} (counted from the start of training, resumed runs included) are
     * split: from the first epoch that starts at or after step {@code wholeSteps}, counting {@code stepsPerEpoch}
     * steps an epoch, so the choice depends only on the data, the batch size and the epoch.
     */
    static boolean splitsEpoch(int epoch, int stepsPerEpoch, int wholeSteps) {
        return (long) epoch * stepsPerEpoch >= wholeSteps;
    }

    /** Whether a batch of {@code rows} rows is split. */
    static boolean splits(int rows) {
        return rows >= MIN_ROWS;
    }

    /** The rows of the first half (the graph's own) of a batch of {@code rows}. */
    static int firstHalf(int rows) {
        return (rows + 1) / 2;
    }

    /**
     * Whether every layer treats each row on its own, nothing draws random numbers, every vertex is one that keeps
     * rows apart, the graph has DL4J's standard updater path ({@link GraphUpdater}), and it has a convolution (work
     * outside BLAS, which the second core can share).
     */
    static boolean eligible(ComputationGraph g) {
        if (rowMixing(g) != null) return false;
        for (GraphVertex v : g.getConfiguration().getVertices().values())
            if (v instanceof LayerVertex lv && unwrap(lv.getLayerConf().getLayer()) instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer)
                return true;
        return false;
    }

    /**
     * Null when a batch's gradient is the sum of its parts' gradients, computed apart ({@link #eligible} without the
     * convolution: every layer treats each row on its own, nothing draws random numbers, every vertex keeps rows
     * apart, the graph has the standard updater path); else the first vertex that breaks this, described for a user.
     */
    static String rowMixing(ComputationGraph g) {
        if (!(g.getUpdater(false) instanceof GraphUpdater)) return "the graph's updater is not Kerasport's GraphUpdater";
        for (var e : g.getConfiguration().getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            if (v instanceof LayerVertex lv) {
                Layer l = unwrap(lv.getLayerConf().getLayer());
                if (l == null || !rowWise(l))
                    return "layer '" + e.getKey() + "' (" + (l == null ? "an empty wrapper" : l.getClass().getSimpleName())
                            + ") mixes the rows of a batch or draws random numbers";
            } else if (!(v instanceof org.deeplearning4j.nn.conf.graph.MergeVertex
                    || v instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex
                    || v instanceof org.deeplearning4j.nn.conf.graph.PreprocessorVertex
                    || v instanceof org.kerasport.dl4j.layers.ChannelsOrderVertex
                    || v instanceof org.kerasport.dl4j.layers.KerasMergeVertex
                    || v instanceof org.kerasport.dl4j.layers.KerasReshapeVertex r && !r.isRows())) {
                return "vertex '" + e.getKey() + "' (" + v.getClass().getSimpleName() + ") may mix the rows of a batch";
            }
        }
        return null;
    }

    /** The layer inside DL4J's frozen and recurrent wrappers (null for a wrapper around nothing). */
    private static Layer unwrap(Layer l) {
        while (true) {
            if (l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop f) l = f.getUnderlying();
            else if (l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer f) l = f.getLayer();
            else if (l instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional b) l = b.getFwd();
            else if (l instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep t) l = t.getUnderlying();
            else return l;
        }
    }

    /** Layers whose output and gradient for a row depend on that row and the parameters only, with no randomness. */
    private static boolean rowWise(Layer l) {
        if (l.getIDropout() != null) return false;
        if (l instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b && b.getWeightNoise() != null) return false;
        return l instanceof org.deeplearning4j.nn.conf.layers.DenseLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D
                || l instanceof org.deeplearning4j.nn.conf.layers.Upsampling2D
                || l instanceof org.deeplearning4j.nn.conf.layers.LSTM
                || l instanceof org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
    }

    /** The result of one step: the batch's score (loss and penalties, as DL4J's) and the captured outputs, in row order. */
    record Step(double score, List<INDArray> outputs) {
    }

    /**
     * One training step on the batch whose halves are {@code first} and {@code second}: the graph's parameters and
     * optimizer state move exactly once, by the whole batch's gradient. {@code capture} is the graph's own output
     * capture (or null without metrics).
     */
    Step fit(MultiDataSet first, MultiDataSet second, OutputCapture capture) {
        int rowsFirst = (int) first.getFeatures(0).size(0), rowsSecond = (int) second.getFeatures(0).size(0);
        Future<Double> other = thread.submit(() -> {
            get(made); // its failure, if the replica could not be made
            replica.setInputs(second.getFeatures());
            replica.setLabels(second.getLabels());
            replica.computeGradientAndScore();
            return replica.score();
        });
        GraphUpdater updater = (GraphUpdater) main.getUpdater();
        updater.addToNextUpdate(new GraphUpdater.Contribution() {
            @Override
            public INDArray gradient() {
                get(other); // after which the replica's fields are visible here
                return replica.getFlattenedGradients();
            }

            @Override
            public int rows() {
                return rowsSecond;
            }
        });
        try {
            main.fit(first);
        } catch (RuntimeException | Error e) {
            updater.addToNextUpdate(null);
            try {
                other.get(); // never leave the replica running into the next step
            } catch (Exception ignored) {
                // the graph's own failure is the one to report
            }
            throw e;
        }
        double score = (rowsFirst * main.score() + rowsSecond * get(other)) / (rowsFirst + rowsSecond);
        List<INDArray> outputs = List.of();
        if (capture != null) {
            List<INDArray> a = capture.take(), b = replicaCapture.take();
            outputs = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) outputs.add(Nd4j.concat(0, a.get(i), b.get(i)));
        }
        return new Step(score, outputs);
    }

    private static <T> T get(Future<T> f) {
        return org.kerasport.train.data.Lookahead.await(f, "the other half of a training step");
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
