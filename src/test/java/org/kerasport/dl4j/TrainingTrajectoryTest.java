package org.kerasport.dl4j;


import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training in DL4J reproduces Keras' training references step by step: the loss Keras reported for each batch
 * (regularization included) and every variable after every update, within the float32 bounds of KerasMatch
 * (the case's documented absolute tolerances as floors).
 */
@Tag("corpus")
@Tag("trajectory")
class TrainingTrajectoryTest {
    /** Cases whose training the DL4J mapping covers so far (src/test/resources/dl4j-cases/*.txt, "train" lines). */
    static final List<String> CASES = SupportedCases.list("train");

    @TestFactory
    Stream<DynamicTest> trainingFollowsKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : CASES) tests.add(DynamicTest.dynamicTest(c, () -> check(c)));
        return tests.stream();
    }

    static void check(String c) {
        check(TestSupport.reference().resolve(c));
    }

    /** A case folder in the keras-reference layout (case.json, reference.npz, model.keras). */
    static void check(java.nio.file.Path dir) {
        String c = dir.getFileName().toString();
        ReferenceData ref = ReferenceData.load(dir);
        JsonNode training = ref.caseJson().get("training");
        KerasModel m = KerasReader.read(ref.dir().resolve("model.keras"));
        ImportedModel im = Dl4jImporter.importForTraining(m, false);
        int steps = training.get("steps").asInt();
        // the case's documented absolute tolerances are floors for values near 0; KerasMatch adds the float32 bounds
        KerasMatch match = new KerasMatch(im, ref.tolerance("loss_abs", 0), ref.tolerance("train_abs", 0));
        JsonNode ins = ref.caseJson().get("inputs"), outs = ref.caseJson().get("outputs");
        for (int k = 0; k < steps; k++) {
            INDArray[] x = new INDArray[ins.size()], y = new INDArray[outs.size()];
            for (int i = 0; i < x.length; i++)
                x[i] = ref.array("train_x__" + k + (ins.size() > 1 ? "__" + ins.get(i).get("name").asText() : ""));
            for (int i = 0; i < y.length; i++)
                y[i] = ref.array("train_y__" + k + (outs.size() > 1 ? "__" + outs.get(i).get("name").asText() : ""));
            int step = k;
            match.step(x, y, training.get("losses").get(k).asDouble(), w -> ref.array("after__" + step + "__" + w), c);
        }
    }
}
