package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.Tolerances;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention family against real Keras: cases written by src/test/python/attention_cases.py (cross-attention with
 * three distinct inputs and regularizers, LayerNormalization incl. rms_scaling and PReLU with shared_axes, a Dense
 * shared by three calls with an activity regularizer) for predictions (both file forms) and training trajectories;
 * the per-output losses of the keras-reference 'functional' case; and the custom layers' JSON round trip.
 */
@Tag("interop")
@Tag("corpus")
@Tag("trajectory")
class AttentionKerasTest {
    static final String[] GENERATED = {"cross_attention", "norm_prelu", "shared3"};

    static Path out;

    @BeforeAll
    static void generate() {
        out = TestSupport.fixture("attention_cases.py", 300);
    }

    @TestFactory
    Stream<DynamicTest> generatedCasesEqualKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : GENERATED) {
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f + " predict", () -> predict(out.resolve(c), f)));
            tests.add(DynamicTest.dynamicTest(c + " train", () -> train(out.resolve(c))));
            tests.add(DynamicTest.dynamicTest(c + " JSON round trip", () -> roundTrip(out.resolve(c))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> referenceCasesSurviveJson() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : new String[]{"layers/layer_norm", "layers/multi_head_attention", "layers/activations", "functional"})
            tests.add(DynamicTest.dynamicTest(c, () -> roundTrip(TestSupport.reference().resolve(c))));
        return tests.stream();
    }

    /** functional: each output's loss (weighted 1.0 / 0.5) and the weight penalty, counted once, equal Keras' logs. */
    @Test
    void functionalPerOutputLosses() {
        ReferenceData ref = ReferenceData.load(TestSupport.reference().resolve("functional"));
        JsonNode training = ref.caseJson().get("training");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(ref.dir().resolve("model.keras")), false);
        double floor = ref.tolerance("loss_abs", 0);
        for (int k = 0; k < training.get("steps").asInt(); k++) {
            INDArray[] x = {ref.array("train_x__" + k + "__in_a"), ref.array("train_x__" + k + "__in_b")};
            INDArray[] y = {ref.array("train_y__" + k + "__reg"), ref.array("train_y__" + k + "__cls")};
            double penalty = training.get("weight_reg").get(k).asDouble();
            // Σ c·w² over every weight: positive terms, Σ|terms| = the penalty itself
            assertEquals(penalty, im.graph().calcRegularizationScore(true),
                    Tolerances.between(im.graph().numParams(), penalty), "penalty before step " + k);
            long n = Tolerances.reductionLength(im.graph(), x) + im.graph().numParams();
            im.graph().fit(new MultiDataSet(x, y));
            JsonNode logs = training.get("train_on_batch_logs").get(k);
            double reg = im.graph().getLayer(im.outputs().get("reg")).score();
            double cls = im.graph().getLayer(im.outputs().get("cls")).score();
            // DL4J adds the network's regularization score to the first output layer only
            double wantReg = logs.get("reg_loss").asDouble(), wantCls = logs.get("cls_loss").asDouble();
            assertEquals(wantReg, reg - penalty, KerasMatch.lossTolerance(floor, n, k + 1, wantReg + penalty), "reg loss of step " + k);
            assertEquals(wantCls, cls / 0.5, KerasMatch.lossTolerance(floor, n, k + 1, wantCls), "cls loss of step " + k);
        }
    }

    static INDArray[] inputs(ReferenceData ref, ImportedModel im, String prefix) {
        JsonNode ins = ref.caseJson().get("inputs");
        INDArray[] x = new INDArray[im.inputs().size()];
        for (int i = 0; i < x.length; i++) {
            String name = im.inputs().get(i);
            x[i] = ref.array(prefix + (ins.size() > 1 ? "__" + name : ""));
        }
        return x;
    }

    static void predict(Path dir, String file) {
        ReferenceData ref = ReferenceData.load(dir);
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve(file)), false);
        KerasMatch.assertPredicts(im, inputs(ref, im, "x"), new INDArray[]{ref.array("y")}, ref.tolerance("predict_abs", 0),
                dir.getFileName() + "/" + file);
    }

    static void train(Path dir) {
        ReferenceData ref = ReferenceData.load(dir);
        JsonNode training = ref.caseJson().get("training");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("model.keras")), false);
        KerasMatch match = new KerasMatch(im, ref.tolerance("loss_abs", 0), ref.tolerance("train_abs", 0));
        for (int k = 0; k < training.get("steps").asInt(); k++) {
            int step = k;
            match.step(inputs(ref, im, "train_x__" + k), new INDArray[]{ref.array("train_y__" + k)},
                    training.get("losses").get(k).asDouble(), w -> ref.array("after__" + step + "__" + w), dir.getFileName().toString());
        }
    }

    /** The configuration survives DL4J JSON; the rebuilt graph with the same parameters computes the same outputs. */
    static void roundTrip(Path dir) {
        ReferenceData ref = ReferenceData.load(dir);
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("model.keras")), false);
        String json = im.graph().getConfiguration().toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        ComputationGraph g = new ComputationGraph(back);
        g.init();
        g.setParams(im.graph().params());
        INDArray[] x = inputs(ref, im, "x");
        INDArray[] a = im.graph().output(false, x), b = g.output(false, x);
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], "output " + i);
    }
}
