package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.dl4j.KerasMatch;
import org.kerasport.dl4j.NdArrays;
import org.kerasport.format.KerasReader;
import org.kerasport.format.KerasWriter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Masked models of free length (sequence_cases.py: Embedding(mask_zero) → LSTM → GRU and Masking → GRU → GRU, with
 * Keras 3's NotEqual/Any operation layers) trained a step here and exported to .keras load in real Keras, which
 * predicts on padded inputs what Kerasport predicts with the trained weights (KerasMatch's bound). A mask reaching
 * GlobalAveragePooling1D (a masked mean in Keras) is refused by name.
 */
@Tag("interop")
class MaskedExportTest {
    @TempDir
    Path tmp;

    @Test
    void trainedMaskedModelsExportToFilesKerasLoads() throws Exception {
        TestSupport.runPython(Path.of("."), 600, "src/test/python/sequence_cases.py", tmp.toString(), "--only", "embed_mask,masking_gru,embed_gap");
        var refused = org.junit.jupiter.api.Assertions.assertThrows(org.kerasport.UnsupportedFeatureException.class,
                () -> Dl4jImporter.importModel(KerasReader.read(tmp.resolve("embed_gap/model.keras")), false));
        assertTrue(refused.getMessage().contains("reaching GlobalAveragePooling1D is not supported yet"), refused.getMessage());
        for (String c : new String[]{"embed_mask", "masking_gru"}) {
            Path dir = tmp.resolve(c);
            Map<String, NdArray> ref = Npy.readNpz(dir.resolve("reference.npz"));
            ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("model.keras")), false);
            INDArray tx = array(ref.get("train_x__0")), ty = array(ref.get("train_y__0"));
            im.graph().fit(new MultiDataSet(tx, ty));
            Path out = tmp.resolve(c + "-tuned.keras");
            new KerasWriter(Exporter.withTrainedWeights(im), new KerasWriter.Provenance("test", "one step", false))
                    .write(out, KerasWriter.Form.KERAS, false);
            assertTrue(Files.exists(out));
            NdArray x2 = ref.get("x2");
            KerasLoad.Loaded k = KerasLoad.predict(tmp, out, x2, false);
            assertTrue(k.result().path("ok").asBoolean(), c + ": " + k.result());
            INDArray mine = im.graph().output(false, array(x2))[0];
            INDArray keras = NdArrays.of(k.y(), mine.shape());
            assertEquals(mine.length(), k.y().length, c);
            KerasMatch.assertOutput(org.kerasport.Tolerances.reductionLength(im.graph()), keras, mine, 1e-5, c + " exported");
        }
    }

    private static INDArray array(NdArray a) {
        return NdArrays.of(a.data(), a.shape());
    }
}
