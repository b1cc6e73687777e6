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
 * Real Keras (src/test/python/conv_trajectories.py) builds conv/pooling/normalization models beyond the shared
 * reference cases — 1-D layers with causal, dilated and strided convolutions, BatchNormalization on 3-D and 5-D
 * tensors, center/scale off, a frozen BatchNormalization between trainable layers, transposed, depthwise and
 * separable convolutions, bilinear upsampling, PReLU, padding and cropping — and records predictions and SGD training
 * trajectories. The DL4J graph must predict the same from both files and train the same, step by step.
 * The data are generated once per script version under target/interop/.
 */
@Tag("interop")
@Tag("corpus")
@Tag("trajectory")
public class ConvInteropTest {
    static final Path SCRIPT = Path.of("src/test/python/conv_trajectories.py").toAbsolutePath();

    /** The cases conv_trajectories.py writes (generated once per checkout and script change). */
    public static Path generated() {
        return TestSupport.fixture("conv_trajectories.py", 600);
    }

    /**
     * A base called with training=False trains as Keras 3.15's fit trains it (pinned_base, in the trajectories above:
     * batch statistics, moving statistics updated), and the import says so, since the call reads as if it did not.
     */
    @org.junit.jupiter.api.Test
    void aCallWithTrainingFalseIsNamedInTheReport() {
        ImportedModel im = Dl4jImporter.importForTraining(org.kerasport.format.KerasReader.read(generated().resolve("pinned_base/model.keras")), false);
        org.junit.jupiter.api.Assertions.assertTrue(im.report().stream().anyMatch(n -> n.startsWith("base: called with training=False")),
                String.join("\n", im.report()));
    }

    @TestFactory
    Stream<DynamicTest> convModelsPredictAndTrainAsKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : List.of("conv1d_stack", "conv2d_stack", "conv3d_stack", "frozen_middle", "cnn_fast_path", "cnn_first_same", "maxpool_ties", "relu_pool_ties", "lstm_stack", "bilstm_stack", "pinned_base")) {
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f + " predicts", () -> ReferencePredictTest.check(generated().resolve(c), f)));
            tests.add(DynamicTest.dynamicTest(c + " trains", () -> TrainingTrajectoryTest.check(generated().resolve(c))));
        }
        return tests.stream();
    }

    /**
     * channels_first is refused with the layer, the field and what to do (the layers after an unmappable one are not
     * examined: their input does not exist).
     */
    @org.junit.jupiter.api.Test
    void channelsFirstIsReportedClearly() {
        org.kerasport.model.KerasModel m = org.kerasport.format.KerasReader.read(generated().resolve("channels_first/model.keras"));
        org.kerasport.UnsupportedFeatureException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.kerasport.UnsupportedFeatureException.class, () -> Dl4jImporter.importModel(m, false));
        String msg = e.getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(msg.contains("conv_cf") && msg.contains("data_format")
                && msg.contains("channels_first") && msg.contains("channels_last"), msg);
    }
}
