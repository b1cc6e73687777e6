package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.Tolerances;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.KerasReader;
import org.kerasport.format.ReadOptions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Corpus models (written by real Keras 1.1 to 3.15 in public projects) predict what Keras 3.15.1 computed for them
 * ({@code <model>.keras-ref.npz}: x or x__&lt;input&gt;, y or y__&lt;output&gt;). The models covered so far are listed as
 * "corpus PATH [ARCH.json]" lines in src/test/resources/dl4j-cases/*.txt. Models using hard_sigmoid are computed
 * with the semantics of the Keras that wrote them, so their Keras 3 references do not apply (see
 * KERAS3_LOAD_FAILURES.tsv); they are checked against their authors' outputs elsewhere, and here, as
 * "corpus-keras3 PATH" lines, computed with Keras 3's semantics against the Keras 3 references. Tolerances: KerasMatch.
 */
@Tag("corpus")
@Tag("trajectory")
class CorpusPredictTest {
    @TestFactory
    Stream<DynamicTest> corpusModelsPredictWhatKerasPredicts() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : SupportedCases.list("corpus"))
            tests.add(DynamicTest.dynamicTest(line, () -> check(line.split("\\s+"), false)));
        for (String line : SupportedCases.list("corpus-keras3"))
            tests.add(DynamicTest.dynamicTest(line + " (Keras 3 semantics)", () -> check(line.split("\\s+"), true)));
        return tests.stream();
    }

    static void check(String[] spec, boolean keras3Semantics) {
        Path file = TestSupport.corpus().resolve(spec[0]);
        ReadOptions opts = ReadOptions.defaults();
        if (spec.length > 1) opts = opts.withCompanion(TestSupport.corpus().resolve(spec[1]));
        org.kerasport.model.KerasModel km = KerasReader.read(file, opts);
        if (keras3Semantics) { // as Keras 3.15 computes the file (its reference): hard_sigmoid = relu6(x + 3)/6
            var s = km.source();
            km = new org.kerasport.model.KerasModel(km.graph(), km.training(), new org.kerasport.model.SourceInfo(s.path(), s.format(),
                    "3.15.1", s.backend(), s.sha256(), s.weightsPath()), km.unsupported(), km.config(), km.optimizerVariables());
        }
        ImportedModel im = Dl4jImporter.importModel(km, false);
        Map<String, NdArray> ref = Npy.readNpz(file.resolveSibling(file.getFileName() + ".keras-ref.npz"));
        INDArray[] x = new INDArray[im.inputs().size()];
        for (int i = 0; i < x.length; i++) {
            NdArray a = ref.containsKey("x") ? ref.get("x") : ref.get("x__" + im.inputs().get(i));
            x[i] = Nd4j.create(a.data(), a.shape(), 'c');
        }
        INDArray[] y = im.graph().output(false, x);
        int k = 0;
        for (String out : im.outputs().keySet()) {
            NdArray w = ref.containsKey("y") ? ref.get("y") : ref.get("y__" + out);
            INDArray want = Nd4j.create(w.data(), w.shape(), 'c');
            KerasMatch.assertOutput(Tolerances.reductionLength(im.graph()), want, y[k++], 0, spec[0] + " output " + out);
        }
    }
}
