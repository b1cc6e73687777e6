package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.UnsupportedFeatureException;
import org.kerasport.format.KerasReader;

/**
 * Keras gives MultiHeadAttention's {@code activity_regularizer} to its four projections (query, key, value, output:
 * {@code _get_common_kwargs_for_sublayer} in keras/src/layers/attention/multi_head_attention.py), not to the layer's
 * output, where an activity regularizer of any other layer applies. Kerasport refuses it by name instead of putting
 * the penalty on the wrong tensor. The model is written by real Keras.
 */
@Tag("interop")
class MhaActivityRegularizerTest {
    @TempDir
    Path tmp;

    @Test
    void activityRegularizerOfMultiHeadAttentionIsRefusedByName() {
        Path model = tmp.resolve("mha_actreg.keras");
        TestSupport.runPython(tmp, 300, "-c", String.join("\n",
                "import sys, keras",
                "x = keras.Input((4, 6), name='x')",
                "h = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, activity_regularizer=keras.regularizers.L2(0.01), name='mha')(x, x)",
                "out = keras.layers.Dense(2, name='out')(keras.layers.Flatten()(h))",
                "m = keras.Model(x, out); m.compile(optimizer='sgd', loss='mse'); m.save(sys.argv[1])"), model.toString());
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> Dl4jImporter.importForTraining(KerasReader.read(model), false));
        assertTrue(e.getMessage().contains("'mha'") && e.getMessage().contains("activity_regularizer")
                && e.getMessage().contains("projections"), e.getMessage());
        // --lenient drops it, and says so
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(model), true);
        assertTrue(im.unsupported().stream().anyMatch(u -> u.toString().contains("activity_regularizer")), im.unsupported().toString());
    }
}
