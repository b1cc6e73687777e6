package org.kerasport.format;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.MalformedModelException;
import org.kerasport.TestSupport;

/**
 * A Keras 1 LSTM keeps its gates as separate arrays (W_i, W_c, W_f, W_o ...) that the reader joins on their last
 * axis. A corrupt file whose gate arrays disagree in their leading dimensions is refused as malformed, naming the
 * array, instead of failing inside the copy (ArrayIndexOutOfBoundsException, exit 1: found by a mutation probe of
 * KerasReader.read on this corpus file). The corrupt copy is made with h5py from the real Keras 1 file
 * (dl4j-test-resources/keras-simple/lstm_tf_model.h5): one gate array is rewritten with another shape.
 */
@Tag("interop")
@Tag("corpus")
class Keras1GateArraysTest {
    @TempDir
    Path tmp;

    @Test
    void gateArraysOfDifferentShapesAreRefusedAsMalformed() throws Exception {
        Path src = TestSupport.corpus().resolve("dl4j-test-resources/keras-simple/lstm_tf_model.h5");
        Path bad = tmp.resolve("lstm_bad_gate.h5");
        Path script = tmp.resolve("mutate.py");
        Files.writeString(script, String.join("\n",
                "import shutil, sys, h5py, numpy as np",
                "shutil.copy(sys.argv[1], sys.argv[2])",
                "with h5py.File(sys.argv[2], 'r+') as f:",
                "    g = f['model_weights/lstm_1']",
                "    del g['lstm_1_W_f:0']",
                "    g.create_dataset('lstm_1_W_f:0', data=np.ones((5, 3), 'float32'))",
                ""));
        TestSupport.runPython(tmp, 120, script.toString(), src.toString(), bad.toString());
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> KerasReader.read(bad));
        assertTrue(e.getMessage().contains("lstm_bad_gate.h5") && e.getMessage().contains("cannot be joined"), e.getMessage());
    }
}
