package org.kerasport.dl4j;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kerasport.TestSupport;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layers keras.applications and the Keras transfer-learning guide bring, against real Keras
 * (src/test/python/app_layer_cases.py writes the models and Keras' numbers): LayerScale and Conv2D(groups=channels)
 * in a ConvNeXt block (predictions of .keras and .h5 and three Adam steps), StochasticDepth (identity at inference,
 * Keras' per-sample rule in training), the guide's augmentation -> Rescaling -> frozen base(training=False) -> Dropout
 * -> Dense logits recipe, Normalization with constant statistics three models deep, and EfficientNetV2B0's nested
 * weights (.keras and .h5).
 *
 * Tolerances (case.json): predictions 1e-5 absolute on outputs of magnitude <= 1 after a few dozen float32 operations
 * per value (each rounding 2^-24 relative; sums over at most 3·3·8 terms): worst-case accumulated error ~100·6e-8 =
 * 6e-6, so 1e-5 holds on any BLAS kernel; weights after 3 Adam steps 1e-4 (Adam divides by sqrt(v)+eps, amplifying
 * gradient rounding of relative size ~1e-6 on steps of size lr = 0.01 by up to 1/eps-sized factors for tiny v).
 */
@Tag("interop")
class AppLayersKerasTest {
    static Path out;

    @BeforeAll
    static void generate() {
        out = TestSupport.fixture("app_layer_cases.py", 240);
    }

    @Test
    void layerScaleBlockPredictsAndTrainsAsKeras() {
        AttentionKerasTest.predict(out.resolve("layer_scale"), "model.keras");
        AttentionKerasTest.predict(out.resolve("layer_scale"), "model.h5");
        AttentionKerasTest.train(out.resolve("layer_scale"));
    }

    @Test
    void nestedConstantNormalizationPredictsAndTrainsAsKeras() {
        AttentionKerasTest.predict(out.resolve("nested_norm"), "model.keras");
        AttentionKerasTest.predict(out.resolve("nested_norm"), "model.h5");
        AttentionKerasTest.train(out.resolve("nested_norm"));
    }

    @Test
    void guideRecipeIsIdentityAugmentationAtInference() {
        AttentionKerasTest.predict(out.resolve("guide"), "model.keras");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(out.resolve("guide/model.keras")), false);
        // every augmentation layer of the recipe transforms in training: no training note for any
        for (String l : new String[]{"flip", "rotate", "contrast", "brightness"})
            assertTrue(im.report().stream().noneMatch(n -> n.startsWith("training: layer '" + l + "'")), l);
    }

    /** Training mode: RandomFlip flips a sample along the width or leaves it; RandomBrightness adds one delta per sample. */
    @Test
    void augmentationTrainingTransforms() {
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(out.resolve("guide/model.keras")), false);
        Nd4j.getRandom().setSeed(11);
        int n = 64;
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, 12, 12, 3).muli(50).addi(80); // contrast keeps [70, 140], brightness ±51: no clipping
        Map<String, INDArray> acts = im.graph().feedForward(new INDArray[]{x}, true, false);
        INDArray flip = acts.get("flip"), bright = acts.get("brightness"), contrast = acts.get("contrast");
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            INDArray xi = x.slice(i), fi = flip.slice(i);
            INDArray mirrored = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse(xi.dup(), 1))[0];
            boolean same = fi.equalsWithEps(xi, 0), mirror = fi.equalsWithEps(mirrored, 0);
            assertTrue(same || mirror, "sample " + i + " neither kept nor flipped along the width");
            if (mirror && !same) flipped++;
            // brightness: a constant delta in [-0.2, 0.2]·255 (Keras' factor times the value range), exact in float32 adds
            INDArray delta = bright.slice(i).sub(contrast.slice(i));
            double d = delta.getDouble(0);
            assertTrue(Math.abs(d) <= 0.2 * 255 + 1e-3, "delta " + d);
            assertEquals(0, delta.sub(d).amaxNumber().doubleValue(), 1e-4 * 255, "one delta per sample");
        }
        // flips ~ Binomial(64, 1/2): 5 standard deviations (4) either side of 32
        assertTrue(flipped >= 12 && flipped <= 52, "flipped " + flipped + " of " + n);
    }

    /** StochasticDepth: the identity at inference (Keras' predictions), per sample 0 or branch/(1 − 0.5) in training. */
    @Test
    void stochasticDepthFollowsKerasRule() {
        Path dir = out.resolve("stochastic_depth");
        AttentionKerasTest.predict(dir, "model.keras");
        AttentionKerasTest.predict(dir, "model.h5");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("model.keras")), false);
        ReferenceData ref = ReferenceData.load(dir);
        INDArray x = ref.array("x"), branch = ref.array("branch");
        int dropped = 0, kept = 0;
        Nd4j.getRandom().setSeed(3);
        for (int rep = 0; rep < 25; rep++) {
            INDArray got = im.graph().feedForward(new INDArray[]{x}, true, false).get("drop_path");
            for (int i = 0; i < x.size(0); i++) {
                INDArray gi = got.slice(i), bi = branch.slice(i);
                if (gi.amaxNumber().doubleValue() == 0) {
                    dropped++;
                } else {
                    kept++;
                    // float32 branch recomputed in DL4J and times 2: relative 1e-5 as the predictions
                    double diff = gi.sub(bi.mul(2)).amaxNumber().doubleValue();
                    assertTrue(diff <= 1e-5 * Math.max(1, bi.amaxNumber().doubleValue() * 2), "kept sample scaled by 1/keep: " + diff);
                }
            }
        }
        // 100 draws with p = 0.5: 5 standard deviations (5) either side of 50
        assertTrue(dropped >= 25 && kept >= 25, "dropped " + dropped + ", kept " + kept);
    }

    /** EfficientNetV2B0 nested as a base: every weight (the constant-statistics Normalization has none) found. */
    @Test
    void efficientNetV2NestedWeightsFound() {
        Path dir = out.resolve("effv2b0");
        int want = ReferenceData.load(dir).caseJson().get("weights").asInt();
        for (String f : new String[]{"model.keras", "model.h5"}) {
            KerasModel m = KerasReader.read(dir.resolve(f));
            int got = 0;
            for (LayerSpec l : m.layers()) got += l.weights().size();
            assertEquals(want, got, f + ": weights read");
            assertTrue(m.layers().stream().flatMap(l -> l.weights().stream()).allMatch(w -> w.data() != null), f);
        }
    }
}
