package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.DecaySearch.Penalty;
import org.kerasport.train.data.DataSources;
import org.kerasport.train.data.TrainingData;

/**
 * The weight-decay search against theory and against real Keras, on a ridge-like task real Keras creates
 * (src/test/python/decay_search_reference.py): 60 rows, 40 standard-normal features, y = x·w + noise with
 * w ~ N(0, 0.25²) and noise ~ N(0, 1); a linear Dense(1) from a zero kernel, mse, SGD(0.1).
 */
@Tag("interop")
class DecaySearchInteropTest {
    /** The interop grid: run in real Keras too (each Keras fit costs ~0.5 s of tracing plus ~80 ms per epoch). */
    static final List<Double> KERAS_LAMBDAS = List.of(0.01, 0.1, 1.0);
    static final int KERAS_FOLDS = 3, KERAS_EPOCHS = 4, KERAS_BATCH = 16;

    static Path dir;
    static KerasModel model;
    static TrainingData data;

    @org.junit.jupiter.api.AfterAll
    static void cleanUp() throws java.io.IOException {
        if (dir == null) return;
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @BeforeAll
    static void realKeras() throws Exception {
        dir = Files.createTempDirectory("kerasport-decay");
        TestSupport.runPython(dir, 600, Path.of("src/test/python/decay_search_reference.py").toAbsolutePath().toString(),
                dir.toString(), "--theory-folds", "5", "--keras", "l2,l1,decoupled",
                "--values", String.join(",", KERAS_LAMBDAS.stream().map(String::valueOf).toList()),
                "--folds", String.valueOf(KERAS_FOLDS), "--epochs", String.valueOf(KERAS_EPOCHS), "--batch", String.valueOf(KERAS_BATCH));
        model = KerasReader.read(dir.resolve("ridge.keras"));
        data = DataSources.load(dir.resolve("ridge.npz").toString(), List.of(), ModelOutputs.signature(model));
    }

    /**
     * Theory: Keras' mse + l2(λ)·‖w‖² is ridge regression with α = n·λ, and for w ~ N(0, τ²I) and noise variance σ²
     * the expected prediction error is lowest at α = σ²/τ², i.e. λ* = σ²/(n·τ²) = 1/(48·0.0625) = 1/3 for a 5-fold
     * training part of 48 rows. Cross-validation on 60 rows is noisy, so the test allows one grid step (a factor
     * √10 ≈ 3) either side: the search must pick λ in [λ* / 3, 3·λ*] (of the grid 0.01 ... 3, that is 0.3 or 1.0).
     * The exact ridge CV curve of these data (closed form, float64) must have its minimum in that range too, which
     * shows the range fits this draw of the data and not only the average one. Full-batch SGD for 100 epochs is
     * close enough to the ridge solution for λ ≥ 0.1 (its slowest direction shrinks by (1 − 2·0.1·λ) per step).
     */
    @Test
    void ridgeSearchPicksLambdaNearTheBayesOptimum() {
        Map<String, NdArray> theory = Npy.readNpz(dir.resolve("theory.npz"));
        double star = theory.get("lambda_star").data()[0];
        assertEquals(1.0 / 3, star, org.kerasport.Tolerances.roundings(1, 1.0 / 3)); // stored as float32
        double lo = star / 3, hi = star * 3;
        float[] dl = theory.get("dense_lambdas").data(), dcv = theory.get("dense_cv").data();
        int argmin = 0;
        for (int i = 1; i < dcv.length; i++) if (dcv[i] < dcv[argmin]) argmin = i;
        assertTrue(dl[argmin] >= lo && dl[argmin] <= hi, "closed-form ridge CV minimum " + dl[argmin] + " outside [" + lo + ", " + hi + "]");

        DecaySearch.Result r = DecaySearch.builder(model).data(data).folds(5).lambdas(List.of(0.01, 0.03, 0.1, 0.3, 1.0, 3.0))
                .epochs(100).batchSize(64).shuffle(false).build().run();
        double best = r.best().lambda();
        assertTrue(best >= lo && best <= hi, "picked λ=" + best + ", expected within [" + lo + ", " + hi + "]\n"
                + org.kerasport.train.report.DecaySearchReport.text(r));
        // and the converged end of the curve is the closed-form one (λ = 1: the curve at the dense grid's 1.0)
        double cfAt1 = dcv[80];
        assertEquals(1.0, dl[80], org.kerasport.Tolerances.roundings(2, 1.0)); // logspace in float64, stored as float32
        assertEquals(cfAt1, r.rows().stream().filter(x -> x.lambda() == 1.0).findFirst().orElseThrow().valLoss(), 0.01 * cfAt1);
    }

    /**
     * The same folds (3 contiguous), λ values and penalties in real Keras: rebuilt config with kernel_regularizer
     * L2(λ)/L1(λ) or the optimizer's weight_decay=λ, fresh SGD, fit(shuffle=False, 4 epochs, batch 16), validation loss
     * without penalty terms. Per fold and per λ the losses agree within 1e-5 relative. Both sides compute in float32
     * (machine epsilon 6e-8); each of the 12 steps sums 16 rows × 40 features in its own order (oneDNN in TensorFlow,
     * ND4J's BLAS here), a few ulp per step, which these stable steps (lr × largest curvature ≈ 1.3 < 2) do not
     * amplify, and the validation mean adds 20 more rounded terms: a few times 1e-7 relative in all (3e-7 observed).
     * 1e-5 leaves thirty times that, while a wrong factor 2 on λ moves these losses by 6e-4 relative at λ = 0.01 and
     * by 2 % and 18 % at λ = 0.1 and 1. Both searches pick the same λ per penalty and overall, and the test checks that Keras' best is ahead
     * of its runner-up by more than 1e-3 relative (otherwise "the same pick" would be luck).
     */
    @Test
    void perLambdaValidationLossesAndTheBestEqualKeras() {
        Map<String, NdArray> keras = Npy.readNpz(dir.resolve("keras.npz"));
        DecaySearch.Result r = DecaySearch.builder(model).data(data).folds(KERAS_FOLDS).lambdas(KERAS_LAMBDAS)
                .penalties(List.of(Penalty.L2, Penalty.L1, Penalty.DECOUPLED))
                .epochs(KERAS_EPOCHS).batchSize(KERAS_BATCH).shuffle(false).build().run();
        double kerasBestLoss = Double.POSITIVE_INFINITY;
        String kerasBest = null;
        for (Penalty p : List.of(Penalty.L2, Penalty.L1, Penalty.DECOUPLED)) {
            float[] folds = keras.get(p.key() + "__fold_loss").data(); // λ-major, KERAS_FOLDS per λ
            double[] means = new double[KERAS_LAMBDAS.size()];
            for (int i = 0; i < KERAS_LAMBDAS.size(); i++) {
                double lambda = KERAS_LAMBDAS.get(i);
                for (int f = 0; f < KERAS_FOLDS; f++) {
                    int fold = f;
                    double got = r.fits().stream().filter(x -> x.fit().penalty() == p && x.fit().lambda() == lambda && x.fit().fold() == fold)
                            .findFirst().orElseThrow().val().get("val_loss");
                    double want = folds[i * KERAS_FOLDS + f];
                    assertEquals(want, got, 1e-5 * Math.abs(want), p.key() + " λ=" + lambda + " fold " + f);
                    means[i] += want / KERAS_FOLDS;
                }
                DecaySearch.Row row = r.rows().stream().filter(x -> x.penalty() == p && x.lambda() == lambda).findFirst().orElseThrow();
                assertEquals(means[i], row.valLoss(), 1e-5 * means[i], p.key() + " λ=" + lambda + " mean");
                if (means[i] < kerasBestLoss) {
                    kerasBestLoss = means[i];
                    kerasBest = p.key() + " " + lambda;
                }
            }
            int kb = 0;
            for (int i = 1; i < means.length; i++) if (means[i] < means[kb]) kb = i;
            DecaySearch.Row mine = r.rows().stream().filter(x -> x.penalty() == p).min((a, b) -> Double.compare(a.valLoss(), b.valLoss())).orElseThrow();
            assertEquals(KERAS_LAMBDAS.get(kb), mine.lambda(), "best λ for " + p.key());
            double runnerUp = Double.POSITIVE_INFINITY;
            for (int i = 0; i < means.length; i++) if (i != kb) runnerUp = Math.min(runnerUp, means[i]);
            assertTrue(runnerUp - means[kb] > 1e-3 * means[kb], p.key() + ": Keras' best is not clearly ahead: " + java.util.Arrays.toString(means));
        }
        assertEquals(kerasBest, r.best().penalty().key() + " " + r.best().lambda());
    }
}
