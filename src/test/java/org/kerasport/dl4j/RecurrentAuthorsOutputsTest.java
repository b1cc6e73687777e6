package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kerasport.TestSupport;
import org.kerasport.Tolerances;
import org.kerasport.format.KerasReader;
import org.kerasport.format.hdf5.Hdf5File;
import org.kerasport.format.hdf5.Hdf5Group;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Recurrent corpus models whose Keras 3 references do not apply (hard_sigmoid written by Keras 1/2, or files Keras 3
 * cannot load) predict what their authors' Keras computed: the inputs/predictions HDF5 files stored next to the
 * DL4J test models (Keras 1.2.2 with TensorFlow and Theano, Keras 2.1.3), and keras2c's test suite (Keras 2.2.4
 * outputs written as C arrays).
 */
@Tag("corpus")
@Tag("trajectory")
class RecurrentAuthorsOutputsTest {
    @ParameterizedTest
    @ValueSource(strings = {"simple_lstm/simple_lstm_tf_keras_1", "simple_lstm/simple_lstm_th_keras_1",
            "simple_rnn/simple_rnn_tf_keras_2", "simple_flatten_rnn/simple_flatten_rnn_tf_keras_2"})
    void dl4jTestResourcesPredictWhatTheirAuthorsKerasPredicted(String base) {
        Path dir = TestSupport.corpus().resolve("dl4j-test-resources");
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve(base + "_model.h5")), false);
        try (Hdf5File f = Hdf5File.openRead(dir.resolve(base + "_inputs_and_outputs.h5"))) {
            Hdf5Group ins = f.root().group("inputs"), preds = f.root().group("predictions");
            INDArray[] x = new INDArray[im.inputs().size()];
            for (int i = 0; i < x.length; i++) x[i] = read(ins, ins.memberNames().get(i));
            INDArray[] y = im.graph().output(false, x);
            int k = 0;
            for (String out : im.outputs().keySet()) {
                INDArray want = read(preds, out);
                check(im, base + " " + out, want, y[k++]);
            }
        }
    }

    /** keras2c's model.h5 (Keras 2.2.4, LSTM with hard_sigmoid): its 10 test inputs and Keras outputs in example_test_suite.c. */
    @Test
    void keras2cModelPredictsTheKerasOutputsOfItsTestSuite() throws Exception {
        Path dir = TestSupport.corpus().resolve("keras2c");
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("model.h5")), false);
        String c = Files.readString(dir.resolve("example_test_suite.c"));
        int tests = 0;
        for (int t = 1; ; t++) {
            float[] in = array(c, "test" + t + "_input_1_input_array");
            if (in == null) break;
            float[] want = array(c, "keras_dense_3_test" + t + "_array");
            INDArray x = Nd4j.create(in, new long[]{1, 8, 32}, 'c');
            INDArray y = im.graph().output(false, x)[0];
            check(im, "keras2c test" + t, Nd4j.create(want, new long[]{1, want.length}, 'c'), y);
            tests++;
        }
        assertEquals(10, tests);
    }

    /** The imported recurrent graph survives DL4J's JSON round trip (custom layers, per-parameter regularization). */
    @Test
    void recurrentGraphConfigurationSurvivesJson() {
        for (String c : List.of("reg_rnn/lstm", "reg_rnn/gru", "reg_rnn/bidirectional_lstm", "reg_embedding", "layers/masking_lstm",
                "layers/time_distributed", "layers/reshape_ops")) {
            ReferenceData ref = ReferenceData.load(TestSupport.reference().resolve(c));
            ImportedModel im = Dl4jImporter.importModel(KerasReader.read(ref.dir().resolve("model.keras")), false);
            String json = im.graph().getConfiguration().toJson();
            ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
            assertEquals(json, back.toJson(), c);
            org.deeplearning4j.nn.graph.ComputationGraph g = new org.deeplearning4j.nn.graph.ComputationGraph(back);
            g.init(im.graph().params().dup(), false);
            INDArray x = ref.array(ref.caseJson().get("inputs").get(0).get("npz_key").asText());
            INDArray a = im.graph().output(false, x)[0], b = g.output(false, x)[0];
            assertEquals(0.0, a.sub(b).amaxNumber().doubleValue(), 0.0, c);
            for (String v : List.of("lstm", "gru", "bilstm")) {
                if (back.getVertices().get(v) instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv)
                    assertEquals(((org.deeplearning4j.nn.conf.graph.LayerVertex) im.graph().getConfiguration().getVertices().get(v))
                            .getLayerConf().getLayer().getRegularizationByParam(v.equals("bilstm") ? "fW" : "RW").toString(),
                            lv.getLayerConf().getLayer().getRegularizationByParam(v.equals("bilstm") ? "fW" : "RW").toString(), c);
            }
        }
    }

    private static void check(ImportedModel im, String what, INDArray want, INDArray got) {
        KerasMatch.assertOutput(Tolerances.reductionLength(im.graph()), want, got, 0, what);
    }

    private static INDArray read(Hdf5Group g, String name) {
        var d = g.dataset(name);
        return Nd4j.create(d.readFloats(), d.shape(), 'c');
    }

    /** A C float array initializer {@code float NAME[N] = { ... };}, or null. */
    private static float[] array(String c, String name) {
        Matcher m = Pattern.compile("float " + Pattern.quote(name) + "\\[\\d+\\] = \\{([^}]*)\\}").matcher(c);
        if (!m.find()) return null;
        List<Float> v = new ArrayList<>();
        for (String s : m.group(1).split(",")) if (!s.isBlank()) v.add(Float.parseFloat(s.strip()));
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) a[i] = v.get(i);
        return a;
    }
}
