package org.kerasport.dl4j;


import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.format.KerasReader;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sequences of free length and Keras' masks against real Keras: cases written by src/test/python/sequence_cases.py
 * (GRU, stacked LSTMs and Conv1D + GlobalMaxPooling1D on Input((None, 3)); Masking before stacked GRUs and
 * Embedding(mask_zero) before LSTM/GRU, functional with Keras 3's NotEqual/Any op layers and as a Sequential with
 * the mask implicit; Masking(-1) through a Bidirectional SimpleRNN and an Activation; Masking before an RNN of
 * StackedRNNCells and an RNN of a SimpleRNNCell), and Keras 3 operation layers
 * (ops_mix: comparisons, logic, casts, reductions), each predicting at two lengths (ops_mix at its one length) from both file forms and trained on batches of different
 * lengths (one length within a batch). Tolerances: KerasMatch (the cases' floors are those of attention_cases.py).
 */
@Tag("interop")
@Tag("corpus")
@Tag("trajectory")
class SequenceKerasTest {
    static final String[] GENERATED = {"gru_free", "lstm_free", "conv1d_free", "masking_gru", "embed_mask", "embed_mask_seq",
            "masking_bidir_seq", "ops_mix", "masking_rnn_cells"};

    /** A Keras 2.10 GRU on Input((None, 20)) that Keras 3 cannot load (time_major in its config). */
    static final Path CORPUS_GRU = TestSupport.corpus().resolve("gru-deployment/gru_model.h5");

    static Path out;

    /**
     * gru-deployment/gru_model.h5 at lengths 7 and 30 predicts what the same model computes in Keras 3 (rebuilt by
     * Keras 3 from the file's config without time_major, its weights loaded by Keras 3: sequence_cases.py --corpus).
     */
    @org.junit.jupiter.api.Test
    void corpusGruOfFreeLengthPredictsAsKeras() {
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(CORPUS_GRU), false);
        ReferenceData ref = ReferenceData.load(out.resolve("corpus"));
        for (String k : new String[]{"", "2"})
            KerasMatch.assertPredicts(im, new INDArray[]{ref.array("x" + k)}, new INDArray[]{ref.array("y" + k)},
                    ref.tolerance("predict_abs", 0), "gru-deployment x" + k);
    }

    @BeforeAll
    static void generate() {
        out = TestSupport.fixture("sequence_cases.py", 300, "--corpus", CORPUS_GRU.toString());
    }

    @TestFactory
    Stream<DynamicTest> generatedCasesEqualKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : GENERATED) {
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f + " predict at two lengths", () -> predict(out.resolve(c), f)));
            tests.add(DynamicTest.dynamicTest(c + " train on batches of different lengths", () -> train(out.resolve(c))));
            tests.add(DynamicTest.dynamicTest(c + " JSON round trip", () -> AttentionKerasTest.roundTrip(out.resolve(c))));
        }
        return tests.stream();
    }

    /** Both lengths through the same imported graph (a graph per length is built on first use and kept). */
    static void predict(Path dir, String file) {
        ReferenceData ref = ReferenceData.load(dir);
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve(file)), false);
        for (String k : new String[]{"", "2", ""})
            KerasMatch.assertPredicts(im, new INDArray[]{ref.array("x" + k)}, new INDArray[]{ref.array("y" + k)},
                    ref.tolerance("predict_abs", 0), dir.getFileName() + "/" + file + " x" + k);
    }

    static void train(Path dir) {
        ReferenceData ref = ReferenceData.load(dir);
        JsonNode training = ref.caseJson().get("training");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("model.keras")), false);
        KerasMatch match = new KerasMatch(im, ref.tolerance("loss_abs", 0), ref.tolerance("train_abs", 0));
        for (int k = 0; k < training.get("steps").asInt(); k++) {
            int step = k;
            match.step(new INDArray[]{ref.array("train_x__" + k)}, new INDArray[]{ref.array("train_y__" + k)},
                    training.get("losses").get(k).asDouble(), w -> ref.array("after__" + step + "__" + w), dir.getFileName().toString());
        }
    }
}
