package org.kerasport.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.model.KerasModel;
import org.kerasport.model.Regularizer;
import org.kerasport.train.data.Batches;
import org.kerasport.train.data.Folds;
import org.kerasport.train.data.TrainingData;
import org.kerasport.train.report.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.kerasport.UsageException;
import org.kerasport.BadDataException;

/**
 * Chooses a weight-decay factor by cross-validation: for every penalty kind and every λ, the model is edited with
 * {@link ModelEdits} (Keras {@code l2(λ)} or {@code l1(λ)} on the scoped kernels, or optimizer {@code weight_decay=λ})
 * and fine-tuned with {@link FineTuner} on each fold's training rows from the same imported starting weights, then
 * evaluated on the fold's validation rows.
 *
 * <p>Protocol (what a Keras script must do to reproduce it):
 * <ul>
 *   <li>folds as {@link Folds} forms them (or one split: all of TRAIN for training, VAL for validation);</li>
 *   <li>the searched penalty is the only penalty on the scoped kernels: {@code l2}/{@code l1} replace their
 *       regularizer and set the optimizer's {@code weight_decay} to 0; {@code decoupled} removes their regularizer
 *       and sets {@code weight_decay=λ} (which Keras applies to every trainable variable, biases included, so it
 *       needs the default scope). Other weights keep their regularizers;</li>
 *   <li>every fit starts from the file's weights with a fresh optimizer state by default (every λ starts equal),
 *       trains {@code epochs} epochs with the same seed (so every λ sees the same batch order);</li>
 *   <li>the score is the validation loss <em>without penalty terms</em> (the loss function alone, batch-size-weighted
 *       mean over the validation rows, inference mode), so that strong L2 is not charged its own penalty a second
 *       time and the three kinds compare on one scale. Keras' {@code val_loss} adds the L1/L2 penalties;
 *       {@code evaluate(...) - sum(model.losses)} is this number. Metrics are the model's compiled ones on the
 *       validation rows;</li>
 *   <li>per penalty and λ: the mean over folds and the sample standard deviation (n − 1; NaN for one split); the
 *       best setting has the lowest mean validation loss (the first in table order on ties).</li>
 * </ul>
 */
public final class DecaySearch {
    /** Threads used by default: measured on a 2-core machine (bench/RESULTS.md), see {@link Builder#threads}. */
    public static final int DEFAULT_THREADS = 2;

    /** What a search setting penalizes. */
    public enum Penalty {
        /** Keras {@code l2(λ)}: λ·Σw² added to the loss (DL4J {@code L2Regularization(2λ)}). */
        L2,
        /** Keras {@code l1(λ)}: λ·Σ|w| added to the loss (DL4J {@code L1Regularization(λ)}). */
        L1,
        /** Optimizer {@code weight_decay=λ}: w ← w − lr·λ·w before each update, nothing added to the loss. */
        DECOUPLED;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Penalty parse(String s) {
            for (Penalty p : values()) if (p.key().equals(s.toLowerCase(Locale.ROOT))) return p;
            throw new UsageException("--penalty must be l2, l1 or decoupled, got '" + s + "'");
        }
    }

    /** One training run of the search. */
    public record Fit(Penalty penalty, double lambda, int fold) {
    }

    /** A fit's validation values ({@code val_loss} without penalties, {@code val_<metric>}) and its time. */
    public record FitResult(Fit fit, Map<String, Double> val, double seconds) {
    }

    /** Per penalty and λ: mean and standard deviation over the folds of every validation value. */
    public record Row(Penalty penalty, double lambda, Map<String, Double> mean, Map<String, Double> sd) {
        public double valLoss() {
            return mean.get("val_loss");
        }
    }

    /**
     * @param rows     one per penalty and λ, penalties in the order given, λ ascending
     * @param fits     every fit, in (penalty, λ, fold) order
     * @param best     the row with the lowest mean val_loss
     * @param keys     the validation keys: val_loss first, then the metrics
     * @param folds    the folds (null with a validation set)
     * @param scope    the layers whose kernels were penalized
     * @param seconds  wall time of the search
     * @param threads  folds trained at once
     */
    public record Result(List<Row> rows, List<FitResult> fits, Row best, List<String> keys, Folds folds, List<String> scope,
                         double seconds, int threads) {
        /** "5-fold contiguous" or "validation set". */
        public String protocol() {
            return folds == null ? "validation set" : folds.describe();
        }
    }

    /** Progress of a search; called from the worker threads (implementations must be thread-safe). */
    public interface Listener {
        default void onStart(int fits, int epochsPerFit) {
        }

        default void onEpochEnd(Fit fit, int epoch) {
        }

        default void onFitEnd(FitResult r, int done, int total) {
        }

        default void onEnd(double seconds) {
        }
    }

    private static final Listener SILENT = new Listener() {
    };

    private final Builder b;

    private DecaySearch(Builder b) {
        this.b = b;
    }

    public static Builder builder(KerasModel model) {
        org.kerasport.dl4j.runtime.Backend.init(); // the native build before ND4J loads, whatever the caller did first
        return new Builder(model);
    }

    public static final class Builder {
        private final KerasModel model;
        private TrainingData train;
        private TrainingData validation;
        private Integer folds;
        private List<Double> lambdas = List.of();
        private List<Penalty> penalties = List.of(Penalty.L2);
        private List<String> scope;
        private int epochs = 1;
        private int batchSize = 32;
        private boolean shuffle = true;
        private long seed;
        private boolean freshOptimizer = true;
        private int threads = DEFAULT_THREADS;
        private boolean lenient;
        private Listener listener = SILENT;

        private Builder(KerasModel model) {
            this.model = model;
        }

        public Builder data(TrainingData d) { this.train = d; return this; }
        /** One split instead of folds: train on all data, validate on {@code d}. */
        public Builder validation(TrainingData d) { this.validation = d; return this; }
        public Builder folds(int k) { this.folds = k; return this; }
        /** The λ values (≥ 0; sorted ascending, duplicates dropped). */
        public Builder lambdas(List<Double> l) { this.lambdas = l; return this; }
        /** The penalty kinds to compare (default L2). */
        public Builder penalties(List<Penalty> p) { this.penalties = p; return this; }
        /** Layers whose kernels carry the searched penalty; null (default): every layer with a kernel. */
        public Builder scope(List<String> layers) { this.scope = layers; return this; }
        public Builder epochs(int n) { this.epochs = n; return this; }
        public Builder batchSize(int n) { this.batchSize = n; return this; }
        public Builder shuffle(boolean s) { this.shuffle = s; return this; }
        public Builder seed(long s) { this.seed = s; return this; }
        /** Default true: every fit starts from a zero optimizer state; false continues the file's state in every fit. */
        public Builder freshOptimizer(boolean f) { this.freshOptimizer = f; return this; }
        /** Fits trained at once, each with its own graph (1: one at a time). Results do not depend on it. */
        public Builder threads(int n) { this.threads = n; return this; }
        public Builder lenient(boolean l) { this.lenient = l; return this; }
        public Builder listener(Listener l) { this.listener = l; return this; }

        public DecaySearch build() {
            if (train == null) throw new UsageException("no training data");
            if ((folds == null) == (validation == null))
                throw new UsageException("give --folds K or --val VAL (one of them)");
            if (lambdas.isEmpty()) throw new UsageException("no λ values: give --values or --grid");
            for (double l : lambdas)
                if (!(l >= 0) || Double.isInfinite(l)) throw new UsageException("λ must be finite and >= 0, got " + l);
            if (penalties.isEmpty()) throw new UsageException("no penalty kind");
            if (epochs < 1 || batchSize < 1 || threads < 1)
                throw new UsageException("epochs, batch size and threads must be at least 1");
            List<String> all = ModelEdits.kernelLayers(model);
            if (all.isEmpty()) throw new UsageException("the model has no layer with a kernel to penalize");
            if (scope != null && penalties.contains(Penalty.DECOUPLED) && !new TreeSet<>(scope).equals(new TreeSet<>(all)))
                throw new UsageException("--penalty decoupled is the optimizer's weight_decay, which Keras "
                        + "applies to every trainable variable: it cannot be limited with --scope (search l2 or l1 for a scope)");
            if (model.training() == null || model.training().optimizer() == null || model.training().losses().isEmpty())
                throw new UsageException("the model has no training config (optimizer and loss): give --optimizer and --loss");
            return new DecaySearch(this);
        }
    }

    /** The model of one setting: the searched penalty is the only penalty on the scoped kernels. */
    public static KerasModel variant(KerasModel m, List<String> scope, Penalty p, double lambda) {
        return switch (p) {
            case L2 -> ModelEdits.training(ModelEdits.kernelRegularizer(m, scope, lambda == 0 ? null : new Regularizer.L2(lambda, "L2")),
                    null, null, 0.0, null);
            case L1 -> ModelEdits.training(ModelEdits.kernelRegularizer(m, scope, lambda == 0 ? null : new Regularizer.L1(lambda, "L1")),
                    null, null, 0.0, null);
            case DECOUPLED -> ModelEdits.training(ModelEdits.kernelRegularizer(m, scope, null), null, null, lambda, null);
        };
    }

    /** The sorted, distinct λ values of a search. */
    static List<Double> sortedLambdas(List<Double> l) {
        return List.copyOf(new TreeSet<>(l));
    }

    public Result run() {
        long t0 = System.nanoTime();
        List<String> scope = b.scope == null ? ModelEdits.kernelLayers(b.model) : List.copyOf(b.scope);
        List<Double> lambdas = sortedLambdas(b.lambdas);
        String loss = b.model.training().losses().get(b.model.graph().outputs().get(0).layer()) == null ? null
                : b.model.training().losses().get(b.model.graph().outputs().get(0).layer()).name();
        boolean accuracy = b.model.training().metrics() != null && b.model.training().metrics().toString().contains("acc");
        Folds folds = b.validation == null ? Folds.of(b.train, b.folds, loss, accuracy) : null;
        int k = folds == null ? 1 : folds.k();
        List<TrainingData[]> splits = new ArrayList<>();
        for (int f = 0; f < k; f++)
            splits.add(folds == null ? new TrainingData[]{b.train, b.validation}
                    : new TrainingData[]{b.train.rows(folds.trainRows(f)), b.train.rows(folds.valRows(f))});
        Map<String, KerasModel> variants = new LinkedHashMap<>();
        List<Fit> fits = new ArrayList<>();
        for (Penalty p : b.penalties)
            for (double l : lambdas) {
                variants.put(p + "/" + l, variant(b.model, scope, p, l));
                for (int f = 0; f < k; f++) fits.add(new Fit(p, l, f));
            }
        b.listener.onStart(fits.size(), b.epochs);
        AtomicInteger done = new AtomicInteger();
        List<FitResult> results = new ArrayList<>();
        int threads = Math.min(b.threads, fits.size());
        if (threads == 1) {
            for (Fit fit : fits) results.add(runFit(fit, variants.get(fit.penalty() + "/" + fit.lambda()), splits.get(fit.fold()), done, fits.size()));
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "kerasport-decay-search");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<FitResult>> futures = new ArrayList<>();
                for (Fit fit : fits)
                    futures.add(pool.submit(() -> runFit(fit, variants.get(fit.penalty() + "/" + fit.lambda()), splits.get(fit.fold()), done, fits.size())));
                for (Future<FitResult> f : futures) results.add(get(f));
            } finally {
                pool.shutdownNow();
            }
        }
        List<String> keys = new ArrayList<>(results.get(0).val().keySet());
        List<Row> rows = new ArrayList<>();
        for (Penalty p : b.penalties)
            for (double l : lambdas) {
                List<FitResult> mine = results.stream().filter(r -> r.fit().penalty() == p && r.fit().lambda() == l).toList();
                Map<String, Double> mean = new LinkedHashMap<>(), sd = new LinkedHashMap<>();
                for (String key : keys) {
                    double[] v = mine.stream().mapToDouble(r -> r.val().getOrDefault(key, Double.NaN)).toArray();
                    mean.put(key, mean(v));
                    sd.put(key, sd(v));
                }
                rows.add(new Row(p, l, mean, sd));
            }
        Row best = null;
        for (Row r : rows)
            if (Double.isFinite(r.valLoss()) && (best == null || r.valLoss() < best.valLoss())) best = r;
        if (best == null)
            throw new BadDataException("every setting diverged (validation loss not finite): lower the learning rate or λ");
        double seconds = (System.nanoTime() - t0) / 1e9;
        b.listener.onEnd(seconds);
        return new Result(rows, results, best, keys, folds, scope, seconds, threads);
    }

    private static FitResult get(Future<FitResult> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private FitResult runFit(Fit fit, KerasModel m, TrainingData[] split, AtomicInteger done, int total) {
        long t0 = System.nanoTime();
        TrainingListener epochs = new TrainingListener() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, double seconds) {
                b.listener.onEpochEnd(fit, epoch);
            }
        };
        FineTuner.Result r = FineTuner.builder(m).data(split[0]).epochs(b.epochs).batchSize(b.batchSize).shuffle(b.shuffle)
                .seed(b.seed).freshOptimizer(b.freshOptimizer).lenient(b.lenient).listener(epochs).build().run();
        Map<String, Double> val = evaluate(r.model(), Metrics.of(m, split[0]), split[1], b.batchSize);
        FitResult fr = new FitResult(fit, val, (System.nanoTime() - t0) / 1e9);
        b.listener.onFitEnd(fr, done.incrementAndGet(), total);
        return fr;
    }

    /**
     * Keras' evaluate without the penalty terms: per batch, DL4J's score (loss + L1/L2 penalties, as Keras' loss)
     * minus the penalties' score, batch-size-weighted; metrics as Keras computes them in inference mode.
     */
    static Map<String, Double> evaluate(ImportedModel im, Metrics metrics, TrainingData data, int batchSize) {
        Metrics.Accumulator acc = metrics.accumulator();
        double penalty = im.graph().calcRegularizationScore(true);
        for (int[] rows : Batches.batches(data.rows(), batchSize, false, 0, 0)) {
            TrainingData batch = data.rows(rows);
            MultiDataSet mds = FineTuner.dataset(batch);
            double loss = im.graph().score(mds, false) - penalty;
            INDArray[] out = im.graph().output(false, mds.getFeatures());
            acc.add(loss, rows.length, List.of(out), batch.targets());
        }
        return acc.means("val_");
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Sample standard deviation (n − 1); NaN for fewer than two values. */
    static double sd(double[] v) {
        if (v.length < 2) return Double.NaN;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    /** {@code log:LO:HI:N}: N values evenly spaced in log10 from LO to HI, both included (N = 1: LO). */
    public static List<Double> logGrid(String spec) {
        String[] p = spec.split(":");
        if (p.length != 4 || !p[0].equals("log"))
            throw new UsageException("--grid must look like log:1e-6:1e-1:6, got '" + spec + "'");
        double lo, hi;
        int n;
        try {
            lo = Double.parseDouble(p[1]);
            hi = Double.parseDouble(p[2]);
            n = Integer.parseInt(p[3]);
        } catch (NumberFormatException e) {
            throw new UsageException("--grid " + spec + ": LO and HI must be numbers, N a whole number");
        }
        if (!(lo > 0 && hi >= lo && Double.isFinite(hi)) || n < 1)
            throw new UsageException("--grid " + spec + ": need 0 < LO <= HI and N >= 1");
        List<Double> out = new ArrayList<>();
        double a = Math.log10(lo), z = Math.log10(hi);
        for (int i = 0; i < n; i++) {
            double v = i == 0 ? lo : i == n - 1 ? hi : Math.pow(10, a + (z - a) * i / (n - 1));
            out.add(Double.parseDouble(String.format(Locale.ROOT, "%.6g", v))); // 1e-05, not 9.999999999999999e-06
        }
        return out;
    }

}
