package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;

/**
 * A model changed in Java ({@code finetune --replace-head 3}) exports a Keras config that says so: real Keras loads
 * the .keras file, its output layer has 3 units, and it predicts what Kerasport predicts.
 */
@Tag("interop")
class ReplaceHeadExportTest {
    @TempDir
    Path tmp;

    @Test
    void aNewHeadExportsAndPredictsInKeras() throws IOException {
        Map<String, NdArray> val = Npy.readNpz(Path.of("models/seed_mlp_val.npz"));
        NdArray x = val.get("x");
        float[] y1 = val.get("y").data(), onehot = new float[y1.length * 3];
        for (int i = 0; i < y1.length; i++) onehot[i * 3 + (int) y1[i]] = 1f;
        Map<String, NdArray> d = new LinkedHashMap<>();
        d.put("x", x);
        d.put("y", new NdArray(new long[]{y1.length, 3}, onehot, "float32"));
        Path data = tmp.resolve("three.npz"), xs = tmp.resolve("x.npy"), model = tmp.resolve("head.keras");
        try (OutputStream os = Files.newOutputStream(data)) {
            Npy.writeNpz(os, d);
        }
        Files.write(xs, Npy.npyBytes(x));
        TestSupport.Run r = TestSupport.cli("finetune", "models/seed_mlp.keras", "--data", data.toString(), "--epochs", "2",
                "--replace-head", "3", "--loss", "categorical_crossentropy", "-o", model.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals(0, TestSupport.cli("predict", model.toString(), "--input", xs.toString(), "-o", tmp.resolve("ours.npz").toString()).code());
        TestSupport.runPython(tmp, 300, "-c", String.join("\n",
                "import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'",
                "import numpy as np, keras",
                "m = keras.models.load_model(sys.argv[1])",
                "assert m.layers[-1].units == 3, m.layers[-1].units",
                "np.savez(sys.argv[3], y=m.predict(np.load(sys.argv[2]), verbose=0))"),
                model.toString(), xs.toString(), tmp.resolve("keras.npz").toString());
        NdArray ours = Npy.readNpz(tmp.resolve("ours.npz")).get("dense_1"), keras = Npy.readNpz(tmp.resolve("keras.npz")).get("y");
        assertArrayEquals(new long[]{200, 3}, keras.shape());
        org.kerasport.dl4j.KerasMatch.assertOutput(org.kerasport.dl4j.KerasMatch.reductionLength(model),
                org.nd4j.linalg.factory.Nd4j.create(keras.data(), keras.shape(), 'c'),
                org.nd4j.linalg.factory.Nd4j.create(ours.data(), ours.shape(), 'c'), 0, "replaced head");
    }
}
