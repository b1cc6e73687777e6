package org.kerasport.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.data.NdArray;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.dl4j.OptimizerStateLoader;
import org.kerasport.dl4j.WeightBinding;
import org.kerasport.dl4j.optim.KerasUpdater;
import org.kerasport.model.KerasModel;
import org.kerasport.model.WeightSpec;
import org.kerasport.train.data.Batches;
import org.kerasport.train.data.Lookahead;
import org.kerasport.train.data.TrainingData;
import org.kerasport.train.report.History;
import org.kerasport.train.report.Progress;
import org.kerasport.train.report.TrainingListener;
import org.kerasport.train.report.WeightNormReport;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.kerasport.UsageException;

/**
 * Keeps training a Keras model on the JVM with the model's own optimizer, loss and weight decay, as Keras' {@code fit}
 * does: epochs of batches (shuffled per epoch, or in the data's order), the epoch loss as the batch-size-weighted
 * mean of the batch losses (penalties included), metrics, validation at each epoch's end, early stopping that
 * restores the best weights, and checkpoints from which a killed run resumes to the same result.
 *
 * <p>Build with {@link #builder(KerasModel)}; edit the model first with {@link ModelEdits} (penalties, freezing,
 * optimizer/loss overrides).
 */
public final class FineTuner {
    private final Builder b;

    private FineTuner(Builder b) {
        this.b = b;
    }

    public static Builder builder(KerasModel model) {
        org.kerasport.dl4j.runtime.Backend.init(); // the native build before ND4J loads, whatever the caller did first
        return new Builder(model);
    }

    /** Settings of a fine-tuning run; {@link #build()} checks them. */
    public static final class Builder {
        private final KerasModel model;
        private TrainingData train;
        private TrainingData validation;
        private Double validationSplit;
        private int epochs = 1;
        private int batchSize = 32;
        private boolean shuffle = true;
        private boolean twoThreadSteps = true;
        private int wholeSteps = DataParallel.WHOLE_STEPS;
        private boolean featureCache = true;
        private long seed = 0;
        private boolean freshOptimizer;
        private boolean lenient;
        private Integer patience;
        private Path checkpointDir;
        private boolean resume;
        private TrainingListener listener = Progress.QUIET;
        private StepGradients stepGradients;

        private Builder(KerasModel model) {
            this.model = model;
        }

        public Builder data(TrainingData d) { this.train = d; return this; }
        public Builder validation(TrainingData d) { this.validation = d; return this; }
        /** Keras validation_split: the last fraction of the rows, taken before shuffling. */
        public Builder validationSplit(double f) { this.validationSplit = f; return this; }
        public Builder epochs(int n) { this.epochs = n; return this; }
        public Builder batchSize(int n) { this.batchSize = n; return this; }
        /** Shuffle the rows every epoch (default); false trains on batches in the data's own order, as Keras' shuffle=False. */
        public Builder shuffle(boolean s) { this.shuffle = s; return this; }
        public Builder seed(long s) { this.seed = s; return this; }
        /**
         * Train each batch of a convolution model as two halves on two threads once a run is past its first
         * {@link DataParallel#WHOLE_STEPS} steps (default; {@link DataParallel}: the same step up to float rounding);
         * false trains every batch whole on one thread.
         */
        public Builder twoThreadSteps(boolean t) { this.twoThreadSteps = t; return this; }
        /** Split batches from the first epoch starting at or after this step (tests; default {@link DataParallel#WHOLE_STEPS}). */
        Builder twoThreadStepsAfter(int steps) { this.wholeSteps = steps; return this; }
        /** Start from a zero optimizer state, as compiling anew does; default: continue from the state stored in the file. */
        public Builder freshOptimizer(boolean f) { this.freshOptimizer = f; return this; }
        /** Frozen-prefix feature caching ({@link FeatureCache}; default on, where it applies). */
        public Builder featureCache(boolean c) { this.featureCache = c; return this; }
        public Builder lenient(boolean l) { this.lenient = l; return this; }
        /** Stop after this many epochs without improvement of val_loss (loss without validation data); restore the best weights. */
        public Builder earlyStopping(Integer patience) { this.patience = patience; return this; }
        public Builder checkpointDir(Path d) { this.checkpointDir = d; return this; }
        public Builder resume(boolean r) { this.resume = r; return this; }
        public Builder listener(TrainingListener l) { this.listener = l; return this; }
        /**
         * Compute each batch's gradient with {@code g} (e.g. on Spark: {@code org.kerasport.spark.SparkGradients}) and
         * apply it here: the same batches, the same one update per batch, the same outputs; only the order in which
         * the rows' gradients are summed differs. Needs a graph whose batches split exactly ({@link DataParallel#rowMixing});
         * the feature cache and two-thread steps are off. FineTuner calls {@link StepGradients#start}; the caller closes it.
         */
        public Builder stepGradients(StepGradients g) { this.stepGradients = g; return this; }

        public FineTuner build() {
            if (train == null) throw new UsageException("no training data");
            if (epochs < 1) throw new UsageException("epochs must be at least 1, got " + epochs);
            if (batchSize < 1) throw new UsageException("batch size must be at least 1, got " + batchSize);
            if (validationSplit != null && validation != null)
                throw new UsageException("give a validation split or validation data, not both");
            if (validationSplit != null && !(validationSplit > 0 && validationSplit < 1))
                throw new UsageException("the validation split must be between 0 and 1, got " + validationSplit);
            if (patience != null && patience < 0) throw new UsageException("early-stopping patience must be >= 0");
            if (resume && checkpointDir == null) throw new UsageException("resume needs a checkpoint directory");
            return new FineTuner(this);
        }
    }

    /**
     * The outcome.
     *
     * @param model          the trained model (DL4J graph and its Keras bindings)
     * @param history        per-epoch logs in Keras History form
     * @param norms          each weight's L2 norm before and after: what training and decay did
     * @param optimizerState how the optimizer started (continued from the file's state, or fresh, and why)
     * @param stoppedEarly   true when early stopping ended the run
     * @param trainingData   the rows trained on (after any validation split)
     * @param featureCache   whether frozen-prefix feature caching was used and what it saved ({@link FeatureCache})
     */
    public record Result(ImportedModel model, History history, WeightNormReport norms, String optimizerState, boolean stoppedEarly,
                         TrainingData trainingData, String featureCache) {
    }

    private FeatureCache cache;
    private String cacheSummary;
    /** With {@link Builder#stepGradients}: the graph's per-variable gradient views, from one probe pass. */
    private org.deeplearning4j.nn.gradient.Gradient structure;

    /**
     * The graph's gradient as its own backward pass lays it out (which variables get a gradient, as views of the
     * gradient array, in order), from one pass on the first training row; the values are replaced at every step.
     */
    private static org.deeplearning4j.nn.gradient.Gradient gradientStructure(ComputationGraph g, TrainingData train) {
        MultiDataSet one = dataset(train.rows(new int[]{0}));
        g.setInputs(one.getFeatures());
        g.setLabels(one.getLabels());
        g.computeGradientAndScore();
        org.deeplearning4j.nn.gradient.Gradient s = g.gradient();
        g.clearLayersStates();
        return s;
    }

    public Result run() {
        KerasModel km = b.model;
        ImportedModel im = Dl4jImporter.importForTraining(km, b.lenient);
        ComputationGraph g = im.graph();
        String optState = startOptimizer(im);
        TrainingData train = b.train, val = b.validation;
        if (b.validationSplit != null) {
            TrainingData[] parts = train.splitLast(b.validationSplit);
            train = parts[0];
            val = parts[1];
        }
        Metrics metrics = Metrics.of(km, train);
        Map<String, float[]> before = kerasWeights(im);

        History history = new History();
        int firstEpoch = 0;
        EarlyStop stop = b.patience == null ? null : new EarlyStop(b.patience, val != null ? "val_loss" : "loss");
        Checkpoints ckpt = b.checkpointDir == null ? null : new Checkpoints(b.checkpointDir);
        if (b.resume) {
            Checkpoints.Restored r = ckpt.restore(im, stop);
            if (r != null) {
                history = r.history();
                firstEpoch = r.nextEpoch();
                optState = "resumed from " + b.checkpointDir + " after epoch " + firstEpoch;
            }
        }
        List<int[]> probe = Batches.batches(train.rows(), b.batchSize, false, b.seed, 0);
        if (b.stepGradients != null) {
            String mixing = DataParallel.rowMixing(g);
            if (mixing != null)
                throw new UsageException("this model cannot be trained with gradients summed over parts of each batch: " + mixing
                        + " (batch normalization, dropout and noise layers are not split yet); train it without Spark");
            for (String o : g.getConfiguration().getNetworkOutputs())
                if (!metrics.isEmpty() && !(g.getVertex(o) instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex))
                    throw new UsageException("the training metrics need the outputs of layers; output '" + o + "' is not a layer: train without Spark");
            structure = gradientStructure(g, train);
            b.stepGradients.start(g, train, !metrics.isEmpty());
        }
        OutputCapture capture = b.stepGradients != null || metrics.isEmpty() || !OutputCapture.deterministic(g) ? null : new OutputCapture();
        if (capture != null) g.addListeners(capture);
        try {
            return train(im, g, train, val, metrics, before, history, firstEpoch, stop, ckpt, probe, capture, optState);
        } finally {
            if (capture != null) {
                List<org.deeplearning4j.optimize.api.TrainingListener> rest = new ArrayList<>(g.getListeners());
                rest.remove(capture);
                g.setListeners(rest);
            }
        }
    }

    private Result train(ImportedModel im, ComputationGraph g, TrainingData train, TrainingData val, Metrics metrics,
                         Map<String, float[]> before, History history, int firstEpoch, EarlyStop stop, Checkpoints ckpt,
                         List<int[]> probe, OutputCapture capture, String optState) {
        FeatureCache fc = b.featureCache && b.stepGradients == null ? FeatureCache.of(g, Math.toIntExact(train.rows())) : null;
        cacheSummary = fc == null ? (b.stepGradients != null ? "off (gradients computed by " + b.stepGradients + ")" : "off (--no-feature-cache)") : fc.usable() ? null : fc.summary();
        cache = fc != null && fc.usable() ? fc : null;
        // a batch's halves on two threads where that pays ({@link DataParallel}); metrics need the step's own outputs;
        // not with the feature cache, which leaves each step only the trainable part
        boolean anySplit = cache == null && b.stepGradients == null && b.twoThreadSteps && (metrics.isEmpty() || capture != null)
                && DataParallel.splitsEpoch(b.epochs - 1, probe.size(), b.wholeSteps);
        try (DataParallel dp = anySplit ? DataParallel.of(g, capture != null) : null) {
            return train(im, g, train, val, metrics, before, history, firstEpoch, stop, ckpt, probe, capture, optState, dp);
        } finally {
            if (fc != null) fc.close(); // the kept features, and their file if they were spilled to disk
        }
    }

    private Result train(ImportedModel im, ComputationGraph g, TrainingData train, TrainingData val, Metrics metrics,
                         Map<String, float[]> before, History history, int firstEpoch, EarlyStop stop, Checkpoints ckpt,
                         List<int[]> probe, OutputCapture capture, String optState, DataParallel dp) {
        b.listener.onTrainStart(b.epochs, probe.size());
        long t0 = System.nanoTime();
        boolean stopped = false;
        for (int epoch = firstEpoch; epoch < b.epochs && !stopped; epoch++) {
            long te = System.nanoTime();
            b.listener.onEpochStart(epoch);
            Nd4j.getRandom().setSeed(b.seed * 1_000_003L + epoch); // dropout masks reproducible per epoch, also after resume
            Metrics.Accumulator acc = metrics.accumulator();
            long batchIndex = 0;
            // the next batch is built on a helper thread while this step runs (ND4J computes on one core)
            boolean split = dp != null && DataParallel.splitsEpoch(epoch, probe.size(), b.wholeSteps);
            try (Lookahead<int[], Prepared> batches = prepared(train, Batches.batches(train.rows(), b.batchSize, b.shuffle, b.seed, epoch), split)) {
                while (batches.hasNext()) {
                    Prepared p = batches.next();
                    int[] rows = p.rows();
                    TrainingData batch = p.batch();
                    MultiDataSet mds = p.dataset();
                    // Keras computes the training metrics on the step's own (training-mode, pre-update) forward pass
                    List<INDArray> outs;
                    double score;
                    if (b.stepGradients != null) {
                        StepGradients.Sums s = b.stepGradients.sums(g.params(), rows, g.getIterationCount(), g.getEpochCount());
                        org.kerasport.dl4j.GraphUpdater.applySummedGradient(g, structure, s.gradient(), rows.length);
                        outs = s.outputs();
                        score = s.scoreSum() / rows.length;
                    } else if (p.halves() != null) {
                        DataParallel.Step step = dp.fit(p.halves()[0], p.halves()[1], capture);
                        outs = step.outputs();
                        score = step.score();
                    } else {
                        boolean cached = cache != null && mds.getFeaturesMaskArrays() == null;
                        try {
                            if (metrics.isEmpty()) {
                                outs = List.of();
                                if (cached) cache.begin(rows);
                                g.fit(mds);
                            } else if (capture != null) {
                                if (cached) cache.begin(rows);
                                g.fit(mds);
                                outs = capture.take();
                            } else {
                                if (cached) cache.begin(rows);
                                outs = List.of(g.output(true, mds.getFeatures()));
                                if (cached) {
                                    cache.end();
                                    cache.begin(rows);
                                }
                                g.fit(mds);
                            }
                        } finally {
                            if (cached) cache.end();
                        }
                        score = g.score();
                    }
                    acc.add(score, rows.length, outs, batch.targets());
                    b.listener.onBatchEnd(epoch, batchIndex++, acc.means(""));
                }
            }
            Map<String, Double> logs = new TreeMap<>(acc.means(""));
            if (val != null) logs.putAll(evaluate(im, metrics, val, "val_"));
            history.add(epoch, logs);
            b.listener.onEpochEnd(epoch, logs, (System.nanoTime() - te) / 1e9);
            if (stop != null) stopped = stop.update(epoch, logs, g);
            if (ckpt != null) ckpt.save(im, epoch, history, stop);
        }
        if (stop != null) stop.restoreBest(g);
        b.listener.onTrainEnd(history, (System.nanoTime() - t0) / 1e9);
        return new Result(im, history, norms(im, before), optState, stopped, train, cache != null ? cache.summary() : cacheSummary);
    }

    /** Continues from the optimizer state stored in the file unless asked not to (or there is none). */
    private String startOptimizer(ImportedModel im) {
        KerasModel km = im.keras();
        if (b.freshOptimizer) return "fresh (as requested)";
        if (km.optimizerVariables().isEmpty()) return "fresh (the file stores no optimizer state)";
        if (km.optimizerVariables().get(0).data()[0] == 0)  // compiled and saved, never trained: Keras starts fresh too
            return "fresh (the model was saved before any training step)";
        KerasUpdater u = KerasUpdater.of(im.graph());
        if (u == null) return "fresh (no trainable parameters)";
        boolean scheduled = km.training() != null && km.training().optimizer() != null
                && km.training().optimizer().learningRateSchedule() != null;
        OptimizerStateLoader.load(im, u, scheduled);
        return "continued from the state stored in the file (" + im.graph().getConfiguration().getIterationCount() + " iterations)";
    }

    /** Keras' evaluate: batch-size-weighted means of the batch losses (penalties included) and metrics, inference mode. */
    Map<String, Double> evaluate(ImportedModel im, Metrics metrics, TrainingData data, String prefix) {
        Metrics.Accumulator acc = metrics.accumulator();
        try (Lookahead<int[], Prepared> batches = prepared(data, Batches.batches(data.rows(), b.batchSize, false, 0, 0), false)) {
            while (batches.hasNext()) {
                Prepared p = batches.next();
                double loss = im.graph().score(p.dataset(), false);
                INDArray[] out = im.graph().output(false, p.dataset().getFeatures());
                acc.add(loss, p.rows().length, List.of(out), p.batch().targets());
            }
        }
        return acc.means(prefix);
    }

    /**
     * One batch: its row indices, its data, and the data as DL4J arrays: whole ({@code dataset}), or as the two halves
     * {@link DataParallel} trains on ({@code halves}, and {@code dataset} null).
     */
    record Prepared(int[] rows, TrainingData batch, MultiDataSet dataset, MultiDataSet[] halves) {
    }

    /**
     * The batches of {@code order}, each built (rows gathered, DL4J arrays made) while the one before is in use;
     * halved where {@code split} and the batch is large enough ({@link DataParallel#splits}).
     */
    private static Lookahead<int[], Prepared> prepared(TrainingData data, List<int[]> order, boolean split) {
        return Lookahead.of(order, rows -> {
            TrainingData batch = data.rows(rows);
            if (!split || !DataParallel.splits(rows.length)) return new Prepared(rows, batch, dataset(batch), null);
            int h = DataParallel.firstHalf(rows.length);
            return new Prepared(rows, batch, null, new MultiDataSet[]{dataset(batch.slice(0, h)), dataset(batch.slice(h, rows.length))});
        }, "kerasport-batches");
    }

    static MultiDataSet dataset(TrainingData d) {
        INDArray[] x = new INDArray[d.inputs().size()], y = new INDArray[d.targets().size()];
        for (int i = 0; i < x.length; i++) x[i] = array(d.inputs().get(i));
        for (int i = 0; i < y.length; i++) y[i] = array(d.targets().get(i));
        return new MultiDataSet(x, y);
    }

    static INDArray array(NdArray a) {
        return org.kerasport.dl4j.NdArrays.of(a.data(), a.shape());
    }

    /** Every bound Keras variable's current values, in Keras layout. */
    static Map<String, float[]> kerasWeights(ImportedModel im) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (WeightBinding wb : im.bindings()) {
            WeightSpec w = im.keras().graph().layer(wb.kerasLayer()).flatMap(l -> l.weight(wb.kerasWeight())).orElseThrow();
            out.put(wb.kerasLayer() + "/" + wb.kerasWeight(), wb.layout().toKeras(im.graph().getParam(wb.vertex() + "_" + wb.param()), w.shape()));
        }
        return out;
    }

    private static WeightNormReport norms(ImportedModel im, Map<String, float[]> before) {
        Map<String, float[]> after = kerasWeights(im);
        WeightNormReport r = new WeightNormReport();
        for (WeightBinding wb : im.bindings()) {
            WeightSpec w = im.keras().graph().layer(wb.kerasLayer()).flatMap(l -> l.weight(wb.kerasWeight())).orElseThrow();
            String key = wb.kerasLayer() + "/" + wb.kerasWeight();
            String decay = (w.regularizer() == null ? "" : w.regularizer().describe())
                    + (!w.trainable() ? " (frozen)" : "");
            r.add(wb.kerasLayer(), wb.kerasWeight(), w.shape(), before.get(key), after.get(key), decay.isBlank() ? "none" : decay.strip());
        }
        return r;
    }

    /** Keras EarlyStopping(monitor, patience, restore_best_weights=True) with min_delta 0. */
    static final class EarlyStop {
        final int patience;
        final String monitor;
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = -1;
        int wait;
        INDArray bestParams;

        EarlyStop(int patience, String monitor) {
            this.patience = patience;
            this.monitor = monitor;
        }

        boolean update(int epoch, Map<String, Double> logs, ComputationGraph g) {
            double v = logs.getOrDefault(monitor, Double.NaN);
            if (v < best) {
                best = v;
                bestEpoch = epoch;
                wait = 0;
                bestParams = g.params().dup();
                return false;
            }
            return ++wait >= patience;
        }

        void restoreBest(ComputationGraph g) {
            if (bestParams != null) g.setParams(bestParams);
        }
    }

}
