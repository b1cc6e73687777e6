package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.KerasReader;
import org.kerasport.format.hdf5.Hdf5File;
import org.kerasport.model.KerasModel;

/**
 * Past HDF5's 64 KB object-header limit Keras splits {@code layer_names} into {@code layer_names0}, {@code layer_names1}
 * ...: real Keras saves a 300-layer model with 230-character layer names that way, Kerasport reads it, exports it as
 * .h5 with the same chunking, and real Keras loads the export and predicts the same.
 */
@Tag("interop")
class ChunkedNamesTest {
    @TempDir
    Path tmp;

    @Test
    void longLayerNameListsRoundTripThroughKeras() {
        Path src = tmp.resolve("long.h5"), exported = tmp.resolve("exported.h5"), out = tmp.resolve("y.npz");
        String py = String.join("\n",
                "import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'",
                "import numpy as np, keras, h5py",
                "keras.utils.set_random_seed(3)",
                "m = keras.Sequential([keras.Input((2,))] + [keras.layers.Dense(2, name=('layer_%03d_' % i) + 'x' * 220) for i in range(300)])",
                "m.save(sys.argv[1])",
                "assert 'layer_names' not in h5py.File(sys.argv[1])['model_weights'].attrs, 'Keras did not chunk'",
                "x = np.random.default_rng(1).normal(size=(4, 2)).astype('float32')",
                "ours = keras.models.load_model(sys.argv[2], compile=False)",
                "a = h5py.File(sys.argv[2])['model_weights'].attrs",
                "np.savez(sys.argv[3], x=x, y_keras=m.predict(x, verbose=0), y_export=ours.predict(x, verbose=0),",
                "         chunks=np.int32(len([k for k in a if k.startswith('layer_names')])))");
        // first call: Keras writes the source; Kerasport exports it; second call: Keras loads the export
        TestSupport.runPython(tmp, 300, "-c", String.join("\n",
                "import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'",
                "import keras",
                "keras.utils.set_random_seed(3)",
                "m = keras.Sequential([keras.Input((2,))] + [keras.layers.Dense(2, name=('layer_%03d_' % i) + 'x' * 220) for i in range(300)])",
                "m.save(sys.argv[1])"), src.toString());
        KerasModel m = KerasReader.read(src);
        assertEquals(301, m.layers().size()); // 300 Dense and the InputLayer
        try (Hdf5File h5 = Hdf5File.openRead(src)) {
            assertTrue(h5.root().group("model_weights").hasAttribute("layer_names0"), "Keras wrote chunked layer names");
        }
        assertEquals(0, TestSupport.cli("export", src.toString(), "-o", exported.toString(), "--quiet").code());
        try (Hdf5File h5 = Hdf5File.openRead(exported)) {
            var g = h5.root().group("model_weights");
            assertTrue(g.hasAttribute("layer_names0") && g.hasAttribute("layer_names1") && !g.hasAttribute("layer_names"),
                    "the export chunks the names as Keras does");
            assertEquals(300, g.stringListAttribute("layer_names").stream().filter(n -> n.startsWith("layer_")).count());
        }
        TestSupport.runPython(tmp, 300, "-c", py, src.toString() + ".again.h5", exported.toString(), out.toString());
        Map<String, NdArray> r = Npy.readNpz(out);
        assertTrue(r.get("chunks").data()[0] >= 2);
        float[] want = r.get("y_keras").data(), got = r.get("y_export").data();
        // the Python rebuilds the same seeded model: the export must predict what the source predicts, bit for bit
        // (the same Keras and kernels on the same weights and input in one process: no rounding differs)
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, got);
    }
}
