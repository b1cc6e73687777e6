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

/** Predictions of the imported DL4J graph equal Keras' reference predictions (KerasMatch: float32 bounds over
 * the case.json floor). */
@Tag("corpus")
@Tag("trajectory")
class ReferencePredictTest {
    /** Cases whose layers the DL4J mapping covers so far (src/test/resources/dl4j-cases/*.txt, "predict" lines). */
    static final List<String> CASES = SupportedCases.list("predict");

    @TestFactory
    Stream<DynamicTest> predictionsEqualKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : CASES)
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f, () -> check(c, f)));
        return tests.stream();
    }

    static void check(String c, String file) {
        check(TestSupport.reference().resolve(c), file);
    }

    /** A case folder in the keras-reference layout (case.json, reference.npz, the model files). */
    static void check(java.nio.file.Path dir, String file) {
        String c = dir.getFileName().toString();
        ReferenceData ref = ReferenceData.load(dir);
        KerasModel m = KerasReader.read(ref.dir().resolve(file));
        ImportedModel im = Dl4jImporter.importModel(m, false);
        INDArray[] x = new INDArray[im.inputs().size()];
        JsonNode ins = ref.caseJson().get("inputs");
        for (int i = 0; i < x.length; i++) x[i] = ref.array(ins.get(i).get("npz_key").asText());
        JsonNode outs = ref.caseJson().get("outputs");
        INDArray[] want = new INDArray[outs.size()];
        for (int k = 0; k < want.length; k++) want[k] = ref.array(outs.get(k).get("npz_key").asText());
        // the case's predict_abs is the floor for outputs near 0; KerasMatch adds the float32 bound
        KerasMatch.assertPredicts(im, x, want, ref.tolerance("predict_abs", 0), c + "/" + file);
    }
}
