package org.kerasport.dl4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;

/**
 * Keras RNN of LSTMCell, GRUCell, SimpleRNNCell and StackedRNNCells of them, against real Keras
 * (src/test/python/rnn_cell_cases.py): return_sequences, go_backwards, every regularizer a cell takes, two cells of one
 * class in a stack (their .keras groups lstm_cell and lstm_cell_1), predictions from both file forms and three
 * training steps (losses and every variable, regularizers included), and cells with dropout (the identity at
 * inference: predictions only). The DL4J graph survives its JSON. The export after training is
 * TrainedExportKerasTest's (it lists rnn_cell_cases.py).
 *
 * <p>Tolerances (case.json, as LayerCasesKerasTest's): predictions 1e-5 absolute on outputs of magnitude about 1 after a
 * few hundred float32 operations per value through at most six time steps (rounding 2^-24 each, a few 1e-6 worst case
 * on any kernel), training by KerasMatch's float32 step bounds with those floors.
 */
@Tag("interop")
class RnnCellKerasTest {
    static final String SCRIPT = "rnn_cell_cases.py";

    static Path generated() {
        return TestSupport.fixture(SCRIPT, 600);
    }

    @TestFactory
    Stream<DynamicTest> rnnOfCellsPredictsAndTrainsAsKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : List.of("rnn_cells", "rnn_stacked", "rnn_back", "rnn_dropout_inference")) {
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f + " predicts", () -> AttentionKerasTest.predict(generated().resolve(c), f)));
            if (!c.endsWith("_inference"))
                tests.add(DynamicTest.dynamicTest(c + " trains", () -> AttentionKerasTest.train(generated().resolve(c))));
            tests.add(DynamicTest.dynamicTest(c + " JSON round trip", () -> AttentionKerasTest.roundTrip(generated().resolve(c))));
        }
        return tests.stream();
    }
}
