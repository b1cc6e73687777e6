package org.kerasport.train;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.GraphPasses;
import org.kerasport.dl4j.WeightBinding;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.DataSources;

/**
 * A frozen-base fine-tune (the Keras guide's transfer learning: keras.applications MobileNetV2 alpha=0.35, weights=None,
 * every base layer trainable=False, then pooling and a Dense head; src/test/python/frozen_base_model.py) costs the
 * base's forward pass only: no vertex of the base runs its backward pass, and the results are those of a run that
 * backpropagates through the whole base (bit for bit) and of Keras' own fit; with frozen-prefix feature caching the base
 * runs once per row and the results stay the same.
 */
@Tag("interop")
class FrozenBaseTest {
    @TempDir
    static Path tmp;
    static Path model, train, val;

    @BeforeAll
    static void makeModel() {
        model = tmp.resolve("frozen_base.keras");
        train = tmp.resolve("train.npz");
        val = tmp.resolve("val.npz");
        TestSupport.runPython(tmp, 300, Path.of("src/test/python/frozen_base_model.py").toAbsolutePath().toString(),
                model.toString(), train.toString(), val.toString(), "--size", "32", "--rows", "48", "--val-rows", "16");
    }

    /**
     * A frozen layer has no optimizer, as in Keras (whose optimizer has slots for trainable variables only): the Adam
     * state holds the two slots (m, v) of the head's kernel and bias and nothing for the frozen base's weights.
     */
    @Test
    void frozenLayersHoldNoOptimizerState() {
        KerasModel m = KerasReader.read(model);
        long trainable = 0;
        for (KerasModel.RegularizedWeight w : m.trainableVariables()) trainable += w.weight().size();
        var g = org.kerasport.dl4j.Dl4jImporter.importForTraining(m, false).graph();
        assertTrue(g.numParams() > 10 * trainable, "the base should dominate the parameters: " + g.numParams() + " vs " + trainable);
        assertEquals(2 * trainable, g.getUpdater().getStateViewArray().length(), "Adam state: m and v of the trainable variables only");
    }

    /**
     * Every vertex between the input and the head is marked as needing no backward pass, the head's Dense computes no
     * gradient for its input, and a training step runs (a marked vertex's backward pass throws, so DL4J skipped them).
     */
    @Test
    void noVertexOfTheFrozenBaseRunsItsBackwardPass() {
        ComputationGraph g = Dl4jImporter.importForTraining(KerasReader.read(model), false).graph();
        List<String> backward = new ArrayList<>();
        int skipped = 0;
        for (var v : g.getVertices()) {
            if (v instanceof GraphPasses.NoBackwardVertex) skipped++;
            else if (!v.isInputVertex()) backward.add(v.getVertexName());
        }
        // the Dense head and its loss (fused into one DL4J output layer, or the head then a loss layer)
        assertTrue(backward.size() <= 2 && backward.stream().allMatch(n -> n.startsWith("head")), "vertices with a backward pass: " + backward);
        assertTrue(skipped > 100, "MobileNetV2's vertices are skipped: " + skipped);
        for (var l : g.getLayers())
            if (l instanceof org.kerasport.dl4j.layers.KerasDenseImpl d) assertFalse(d.inputGradientNeeded(), "the head reads the frozen base");

        KerasModel m = KerasReader.read(model);
        var sig = ModelOutputs.signature(m);
        FineTuner.Result r = FineTuner.builder(m).data(DataSources.load(train.toString(), List.of(), sig)).epochs(1).batchSize(16)
                .shuffle(false).freshOptimizer(true).twoThreadSteps(false).build().run();
        assertEquals(1, r.history().get("loss").size());
    }

    /**
     * The same fit with and without the backward pass through the base: the head's gradient is computed by the same
     * operations on the same arrays either way (no vertex that runs its backward pass reads a skipped one), so every
     * loss, accuracy and final weight is equal bit for bit.
     */
    @Test
    void fitEqualsTheRunThatBackpropagatesThroughTheBase() {
        FineTuner.Result skip = fit(null, false), full = fit("full", false);
        assertEquals(full.history().get("loss"), skip.history().get("loss"));
        assertEquals(full.history().get("accuracy"), skip.history().get("accuracy"));
        assertEquals(full.history().get("val_loss"), skip.history().get("val_loss"));
        for (WeightBinding b : skip.model().bindings()) {
            String p = b.vertex() + "_" + b.param();
            assertArrayEquals(full.model().graph().getParam(p).dup().data().asFloat(), skip.model().graph().getParam(p).dup().data().asFloat(), p);
        }
    }

    /** Keras' own fit of the same model and data (fit_reference.py, fresh Adam, 3 epochs, batches of 16). */
    @Test
    void fitEqualsKeras() {
        Path ref = tmp.resolve("fit.npz");
        TestSupport.runPython(tmp, 300, Path.of("src/test/python/fit_reference.py").toAbsolutePath().toString(), model.toString(),
                train.toString(), val.toString(), ref.toString(), "--batch", "16", "--fresh");
        Map<String, NdArray> keras = Npy.readNpz(ref);
        // accuracy: one validation row's worth at most (1/16), in case a near-tie of the softmax rounds the other way
        FineTuner.Result r = fit(null, true);
        assertTrue(r.featureCache().startsWith("on:"), r.featureCache());
        FinetuneInteropTest.assertMatchesKerasFit(r, keras, 3, 1.0 / 16, lengthOf(r, train), stepsPerEpoch(train),
                Dl4jImporter.importForTraining(KerasReader.read(model), false), "frozen base");
    }

    /**
     * Frozen-prefix feature caching: the base runs for each row once (the first epoch) and later epochs read its output
     * from the cache; with the same batches every epoch (shuffle off) the trainable part receives the very arrays the
     * base computed, so every loss, accuracy and final weight equals the run without the cache bit for bit.
     */
    @Test
    void featureCachingEqualsTheRunWithoutIt() {
        FineTuner.Result cached = fit(null, true), computed = fit(null, false);
        assertEquals("off (--no-feature-cache)", computed.featureCache());
        assertTrue(cached.featureCache().startsWith("on: the frozen prefix") && cached.featureCache().contains("ran for 48 of 144 row-steps"),
                cached.featureCache());
        for (String k : List.of("loss", "accuracy", "val_loss", "val_accuracy"))
            assertEquals(computed.history().get(k), cached.history().get(k), k);
        for (WeightBinding b : cached.model().bindings()) {
            String p = b.vertex() + "_" + b.param();
            assertArrayEquals(computed.model().graph().getParam(p).dup().data().asFloat(), cached.model().graph().getParam(p).dup().data().asFloat(), p);
        }
    }

    /**
     * Features beyond the heap budget go to a memory-mapped file: with a budget of one byte every kept row is on
     * disk, and the run still equals the one without the cache bit for bit; the file is gone when training ends.
     */
    @Test
    void featuresBeyondTheBudgetSpillToDiskAndStillEqualTheRunWithoutIt(@org.junit.jupiter.api.io.TempDir Path dir) throws java.io.IOException {
        System.setProperty("kerasport.featureCache.maxBytes", "1");
        System.setProperty("kerasport.featureCache.dir", dir.toString());
        FineTuner.Result spilled;
        try {
            spilled = fit(null, true);
        } finally {
            System.clearProperty("kerasport.featureCache.maxBytes");
            System.clearProperty("kerasport.featureCache.dir");
        }
        FineTuner.Result computed = fit(null, false);
        assertTrue(spilled.featureCache().contains("ran for 48 of 144 row-steps") && spilled.featureCache().contains("in a file in " + dir),
                spilled.featureCache());
        for (String k : List.of("loss", "accuracy", "val_loss", "val_accuracy"))
            assertEquals(computed.history().get(k), spilled.history().get(k), k);
        for (WeightBinding b : spilled.model().bindings()) {
            String p = b.vertex() + "_" + b.param();
            assertArrayEquals(computed.model().graph().getParam(p).dup().data().asFloat(), spilled.model().graph().getParam(p).dup().data().asFloat(), p);
        }
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the features' file outlives the run");
        }
    }

    /**
     * A frozen Dense layer between trainable ones computes only its input's gradient (no weight gradient): the fit
     * equals Keras' (fit_reference.py, 3 epochs, batches of 16) and the run that computes the frozen weight's gradient.
     */
    @Test
    void aFrozenLayerBetweenTrainableOnesComputesNoWeightGradient() throws java.io.IOException {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("middle"));
        Path mm = dir.resolve("m.keras"), tr = dir.resolve("t.npz"), va = dir.resolve("v.npz"), ref = dir.resolve("fit.npz");
        TestSupport.runPython(tmp, 300, Path.of("src/test/python/frozen_base_model.py").toAbsolutePath().toString(),
                mm.toString(), tr.toString(), va.toString(), "--middle", "--rows", "64", "--val-rows", "16");
        ComputationGraph g = Dl4jImporter.importForTraining(KerasReader.read(mm), false).graph();
        List<String> noWeightGradient = new ArrayList<>();
        for (var l : g.getLayers()) {
            var in = l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop f ? f.getInsideLayer() : l;
            if (in instanceof org.kerasport.dl4j.layers.KerasDenseImpl d && !d.weightGradientNeeded()) noWeightGradient.add(in.conf().getLayer().getLayerName());
        }
        assertEquals(List.of("d2"), noWeightGradient);
        TestSupport.runPython(tmp, 300, Path.of("src/test/python/fit_reference.py").toAbsolutePath().toString(), mm.toString(),
                tr.toString(), va.toString(), ref.toString(), "--batch", "16", "--fresh");
        FineTuner.Result skip = fitModel(mm, tr, va, null, true), full = fitModel(mm, tr, va, "full", true);
        // accuracy: one validation row's worth at most (1/16), in case a near-tie of the softmax rounds the other way
        FinetuneInteropTest.assertMatchesKerasFit(skip, Npy.readNpz(ref), 3, 1.0 / 16, lengthOf(skip, tr), stepsPerEpoch(tr),
                Dl4jImporter.importForTraining(KerasReader.read(mm), false), "frozen middle layer");
        // against the run with the weight gradient: the same arithmetic for every trainable weight except the frozen
        // layer's input gradient δ·Wᵀ, which DL4J's own path computes as a product of other layout: the same 16 products
        // per element, which the BLAS kernel may sum in another order, so relative differences of at most 16·2^-24 ≈ 1e-6
        // in d1's gradient. Adam's step m/(√v+ε) is a ratio, so they stay relative (≈ 1e-6 of a step of at most the
        // learning rate 1e-2): after 12 steps at most 12·1e-2·1e-6 ≈ 1.2e-7 per weight; 1e-5 leaves a wide margin.
        for (WeightBinding b : skip.model().bindings()) {
            String p = b.vertex() + "_" + b.param();
            float[] x = skip.model().graph().getParam(p).dup().data().asFloat(), y = full.model().graph().getParam(p).dup().data().asFloat();
            for (int i = 0; i < x.length; i++) assertEquals(y[i], x[i], 1e-5, p + "[" + i + "]");
        }
    }

    private static FineTuner.Result fit(String frozenBackward, boolean featureCache) {
        return fitModel(model, train, val, frozenBackward, featureCache);
    }

    private static FineTuner.Result fitModel(Path model, Path train, Path val, String frozenBackward, boolean featureCache) {
        String old = System.getProperty("kerasport.frozenBackward");
        if (frozenBackward == null) System.clearProperty("kerasport.frozenBackward");
        else System.setProperty("kerasport.frozenBackward", frozenBackward);
        try {
            KerasModel m = KerasReader.read(model);
            var sig = ModelOutputs.signature(m);
            return FineTuner.builder(m).data(DataSources.load(train.toString(), List.of(), sig))
                    .validation(DataSources.load(val.toString(), List.of(), sig)).epochs(3).batchSize(16).shuffle(false)
                    .freshOptimizer(true).twoThreadSteps(false).featureCache(featureCache).build().run();
        } finally {
            if (old == null) System.clearProperty("kerasport.frozenBackward");
            else System.setProperty("kerasport.frozenBackward", old);
        }
    }

    /** The reduction length for the float32 bounds of a fit in batches of 16 (KerasMatch.trainingLength). */
    private static long lengthOf(FineTuner.Result r, Path data) {
        long[] xs = Npy.readNpz(data).get("x").shape();
        long perRow = 1;
        for (int i = 1; i < xs.length; i++) perRow *= xs[i];
        return org.kerasport.dl4j.KerasMatch.trainingLength(r.model(), 16L * perRow);
    }

    private static int stepsPerEpoch(Path data) {
        return (int) ((Npy.readNpz(data).get("x").shape()[0] + 15) / 16);
    }
}
