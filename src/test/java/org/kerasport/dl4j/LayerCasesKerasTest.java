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
 * Layers Kerasport maps that no other generator holds, against real Keras (src/test/python/layer_cases.py):
 * ActivityRegularization, Identity, LeakyReLU, ELU and Softmax layers, AveragePooling3D and GlobalMaxPooling3D,
 * GlobalMaxPooling2D, RepeatVector, Permute and TimeDistributed(Dense) (predictions from both file forms and three
 * training steps), and the noise and augmentation layers that are the
 * identity at inference (predictions only: in training Keras draws random numbers that cannot be reproduced).
 *
 * <p>Tolerances (case.json, as AttentionKerasTest's): predictions 1e-5 absolute on outputs of magnitude about 1 after
 * at most a few hundred float32 operations per value (rounding 2^-24 each: a few 1e-6 worst case on any kernel),
 * training by KerasMatch's float32 step bounds with those floors.
 */
@Tag("interop")
class LayerCasesKerasTest {
    static final String SCRIPT = "layer_cases.py";

    static Path generated() {
        return TestSupport.fixture(SCRIPT, 600);
    }

    @TestFactory
    Stream<DynamicTest> layersPredictAndTrainAsKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : List.of("act_reg_identity", "pool3d", "noise_inference", "augment_inference", "tensor_ops")) {
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f + " predicts", () -> AttentionKerasTest.predict(generated().resolve(c), f)));
            if (!c.endsWith("_inference"))
                tests.add(DynamicTest.dynamicTest(c + " trains", () -> AttentionKerasTest.train(generated().resolve(c))));
        }
        return tests.stream();
    }
}
