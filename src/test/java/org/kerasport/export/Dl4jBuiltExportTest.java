package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.kerasport.format.Json;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.cli.ExitCode;
import org.kerasport.TestSupport;
import org.kerasport.Tolerances;
import org.kerasport.data.NdArray;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A model built in DL4J (no Kerasport metadata) exports with a generated Keras config: real Keras 3.15 loads it
 * compiled with the same optimizer and loss, predicts what DL4J predicts, and its weight penalties (model.losses)
 * equal DL4J's regularization score (DL4J L2(c) = ½·c·Σw² = Keras l2(c/2)). A layer without a counterpart is refused.
 */
@Tag("interop")
class Dl4jBuiltExportTest {
    @TempDir
    Path tmp;

    @Test
    void denseNetworkBuiltInDl4jLoadsInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(5).nOut(8).activation(Activation.RELU)
                        .regularization(List.of(new L2Regularization(0.002))).regularizationBias(List.of(new L2Regularization(0.004))).build())
                .layer(new DropoutLayer.Builder(0.8).name("drop").build())
                .layer(new DenseLayer.Builder().name("hidden2").nIn(8).nOut(6).activation(Activation.IDENTITY)
                        .regularization(List.of(new L1Regularization(0.001))).build())
                .layer(new org.deeplearning4j.nn.conf.layers.PReLULayer.Builder().name("prelu").inputShape(6)
                        .regularization(List.of(new L2Regularization(0.03))).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5).muli(0.4)); // non-zero biases too
        Path zip = tmp.resolve("dl4j.zip");
        ModelSerializer.writeModel(net, zip.toFile(), true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 7, 5).subi(0.5).muli(4);
        float[] want = net.output(x, false).dup('c').data().asFloat();
        double dl4jPenalty = net.calcRegularizationScore(true);

        KerasLoad.Loaded loaded = exportAndLoad(zip, x, "m");
        assertSameAsDl4j(want, dl4jPenalty, loaded);
        JsonNode res = loaded.result();
        assertEquals("Adam", res.get("optimizer").get("class_name").asText(), res.toString());
        assertEquals(0.01, res.get("optimizer").get("config").get("learning_rate").asDouble(), Tolerances.roundings(1, 0.01)); // a float32 variable
    }

    /** A LeNet-style DL4J CNN (channels-first, flat input reshaped by DL4J's preprocessor, batch norm with log-stdev). */
    @Test
    void convolutionalNetworkBuiltInDl4jLoadsInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(0.005)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).activation(Activation.RELU)
                        .regularization(List.of(new L2Regularization(0.01))).build())
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.MAX)
                        .name("pool1").kernelSize(2, 2).stride(2, 2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().name("bn").build())
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(2, 2).name("conv2").nOut(3)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(5).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(10, 10, 2))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5).muli(0.3));
        // one training step so that the batch-norm moving statistics are not the initial ones
        net.fit(Nd4j.rand(DataType.FLOAT, 6, 200), Nd4j.eye(3).castTo(DataType.FLOAT).repeat(0, 2));
        Path zip = tmp.resolve("cnn.zip");
        ModelSerializer.writeModel(net, zip.toFile(), true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 200);
        float[] want = net.output(x, false).dup('c').data().asFloat();
        double penalty = net.calcRegularizationScore(true);
        assertSameAsDl4j(want, penalty, exportAndLoad(zip, x, "cnn"));
    }

    /** Exports the DL4J zip (checking the generated-config note), loads it compiled in real Keras, predicts on x. */
    private KerasLoad.Loaded exportAndLoad(Path zip, INDArray x, String id) throws Exception {
        Path out = tmp.resolve(id + ".keras");
        TestSupport.Run r = TestSupport.cli("export", zip.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("a model built in DL4J: Keras config generated"), r.err());
        // every layer channels-last (ChannelsLast): TensorFlow's CPU kernels run channels_first convolutions only in
        // its oneDNN build on some Intel CPUs, so a channels_first export would not predict on most machines
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(out.toFile())) {
            String config = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(config.contains("\"channels_first\""), id + ": a channels_first layer in " + config);
        }
        return KerasLoad.predict(tmp, out, new NdArray(x.shape(), x.dup('c').data().asFloat(), "float32"), true);
    }

    /**
     * Keras' outputs equal DL4J's and Keras' weight penalties (model.losses) DL4J's regularization score, within the
     * float32 bounds of two implementations (Tolerances.between): the model's weight count bounds both the sums along
     * any output's computation and the penalty's terms (non-negative, so Σ|terms| is the penalty).
     */
    private static void assertSameAsDl4j(float[] want, double dl4jPenalty, KerasLoad.Loaded keras) {
        long n = weightCount(keras.result());
        double tol = Tolerances.between(n, Tolerances.maxAbs(want));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], keras.y()[i], tol, "output " + i);
        assertEquals(dl4jPenalty, keras.result().get("reg_loss").asDouble(), Tolerances.between(n, dl4jPenalty), "weight penalties");
    }

    /** The number of weight values of the model Keras loaded (its weight_shapes). */
    private static long weightCount(JsonNode result) {
        long n = 0;
        for (JsonNode shape : result.get("weight_shapes")) {
            long m = 1;
            for (JsonNode d : shape) m *= d.asLong();
            n += m;
        }
        return n;
    }

    /** Two stacked DL4J LSTMs (NCW input, the default), the second under LastTimeStep, then Dense and the output layer. */
    @Test
    void recurrentNetworkBuiltInDl4jLoadsInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Adam(0.002)).weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().name("lstm1").nIn(3).nOut(6).activation(Activation.TANH)
                        .regularization(List.of(new L2Regularization(0.01))).build())
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep(new LSTM.Builder().name("lstm2").nIn(6).nOut(4)
                        .activation(Activation.TANH).build()))
                .layer(new DenseLayer.Builder().name("dense").nIn(4).nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(5).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.4);
        Path zip = save(net, "rnn-ok.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 7).subi(0.5).muli(2); // DL4J's NCW: [batch, features, time]
        float[] want = net.output(x, false).dup('c').data().asFloat();
        double penalty = net.calcRegularizationScore(true);
        assertSameAsDl4j(want, penalty, exportAndLoad(zip, x, "rnn"));
    }

    /** Zero padding, up-sampling and cropping around a convolution (channels-first, DL4J's defaults). */
    @Test
    void spatialLayersBuiltInDl4jLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .updater(new org.nd4j.linalg.learning.config.Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer.Builder(1, 2, 0, 1).name("pad").build())
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv").nOut(3).activation(Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Upsampling2D.Builder(2).name("up").build())
                .layer(new org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D.Builder(1, 0, 2, 1).name("crop").build())
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.MAX)
                        .name("pool").kernelSize(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(7, 6, 2))
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.3);
        Path zip = save(net, "spatial.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 84);
        assertSameAsDl4j(net.output(x, false).dup('c').data().asFloat(), net.calcRegularizationScore(true), exportAndLoad(zip, x, "spatial"));
    }

    /** Token indices through an embedding, a SimpleRnn and average pooling over time (DL4J's NCW layout inside). */
    @Test
    void embeddingAndSimpleRnnBuiltInDl4jLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(13).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer.Builder().name("emb").nIn(10).nOut(4).inputLength(5)
                        .regularization(List.of(new L2Regularization(0.02))).build())
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn.Builder().name("rnn").nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.AVG).name("mean").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.3);
        Path zip = save(net, "emb.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5).muli(10).castTo(DataType.INT32).castTo(DataType.FLOAT); // indices 0..9
        assertSameAsDl4j(net.output(x, false).dup('c').data().asFloat(), net.calcRegularizationScore(true), exportAndLoad(zip, x, "emb"));
    }

    /** 1-D convolution and pooling over DL4J's NCW sequences, global max pooling over time. */
    @Test
    void convolution1dBuiltInDl4jLoadsInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(19).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder().kernelSize(3).name("c1").nOut(4)
                        .activation(Activation.RELU).regularization(List.of(new L2Regularization(0.02))).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Subsampling1DLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.MAX)
                        .name("p1").kernelSize(2).stride(2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.MAX).name("gmax").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(2, 12))
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.3);
        Path zip = save(net, "conv1d.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 12);
        assertSameAsDl4j(net.output(x, false).dup('c').data().asFloat(), net.calcRegularizationScore(true), exportAndLoad(zip, x, "conv1d"));
    }

    /** Sequence labelling: an LSTM returning sequences and an RnnOutputLayer (DL4J's NCW output is transposed in Keras). */
    @Test
    void sequenceOutputBuiltInDl4jLoadsInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(23).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().name("enc").nIn(3).nOut(5).activation(Activation.TANH).build())
                // a DenseLayer on the sequence (DL4J's preprocessors around it): Dense on every time step in Keras
                .layer(new DenseLayer.Builder().name("step").nIn(5).nOut(6).activation(Activation.RELU)
                        .regularization(List.of(new L2Regularization(0.02))).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("tags").nIn(6).nOut(4)
                        .activation(Activation.SOFTMAX).regularization(List.of(new L2Regularization(0.01))).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(3))
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.4);
        Path zip = save(net, "seq.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 6).subi(0.5); // NCW
        INDArray dl4j = net.output(x, false);                      // [batch, 4, time]
        Path out = tmp.resolve("seq.keras");
        TestSupport.Run r = TestSupport.cli("export", zip.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("Keras returns [batch, time, 4] where DL4J (NCW) returns [batch, 4, time]"), r.err());
        KerasLoad.Loaded k = KerasLoad.predict(tmp, out, new NdArray(x.shape(), x.dup('c').data().asFloat(), "float32"), true);
        assertSameAsDl4j(dl4j.permute(0, 2, 1).dup('c').data().asFloat(), net.calcRegularizationScore(true), k);
    }

    /**
     * A frozen (transfer-learning) first layer is trainable=False in Keras, so its L2 penalty counts in neither
     * engine; layers training with different updaters have no single Keras optimizer: no compile config, and the
     * export says so.
     */
    @Test
    void frozenLayersAndMixedUpdaters() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(17).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop(new DenseLayer.Builder().name("base").nIn(4).nOut(6)
                        .activation(Activation.RELU).regularization(List.of(new L2Regularization(0.5))).build()))
                .layer(new DenseLayer.Builder().name("mid").nIn(6).nOut(5).activation(Activation.TANH).updater(new org.nd4j.linalg.learning.config.Sgd(0.1))
                        .regularization(List.of(new L2Regularization(0.01))).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nIn(5).nOut(1).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path zip = tmp.resolve("frozen.zip");
        ModelSerializer.writeModel(net, zip.toFile(), true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4);
        double penalty = net.calcRegularizationScore(true);
        assertTrue(penalty > 0, "the trainable layer's penalty");
        Path out = tmp.resolve("frozen.keras");
        TestSupport.Run r = TestSupport.cli("export", zip.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("no compile config") && r.err().contains("different updaters"), r.err());
        KerasLoad.Loaded k = KerasLoad.predict(tmp, out, new NdArray(x.shape(), x.dup('c').data().asFloat(), "float32"), false);
        assertSameAsDl4j(net.output(x, false).dup('c').data().asFloat(), penalty, k);
    }

    @Test
    void layersWithoutAKerasCounterpartAreNamed() throws Exception {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new org.deeplearning4j.nn.conf.layers.GravesLSTM.Builder().name("seq").nIn(3).nOut(4).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nIn(4).nOut(2).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path zip = tmp.resolve("rnn.zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
        TestSupport.Run r = TestSupport.cli("export", zip.toString(), "-o", tmp.resolve("rnn.keras").toString());
        assertEquals(ExitCode.UNSUPPORTED.code, r.code(), r.err());
        assertTrue(r.err().contains("seq") && r.err().contains("GravesLSTM"), r.err());
        assertTrue(!Files.exists(tmp.resolve("rnn.keras")), "nothing written");
    }

    /**
     * A DL4J ComputationGraph with two inputs, element-wise and concatenating merge vertices, an input read twice and
     * two output layers with different losses becomes a Keras Functional model: same outputs, penalties, optimizer.
     */
    @Test
    void graphWithMergesBuiltInDl4jLoadsInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        var conf = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.FLOAT).updater(new Adam(0.003))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b")
                .addLayer("da", new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU)
                        .regularization(List.of(new L2Regularization(0.01))).build(), "a")
                .addLayer("db", new DenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH)
                        .regularization(List.of(new L1Regularization(0.002))).build(), "b")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "da", "db")
                .addVertex("prod", new ElementWiseVertex(ElementWiseVertex.Op.Product), "da", "db")
                .addVertex("diff", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "da", "db")
                .addVertex("avg", new ElementWiseVertex(ElementWiseVertex.Op.Average), "sum", "prod", "diff")
                .addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "sum", "diff")
                .addVertex("cat", new MergeVertex(), "avg", "max", "a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "cat")
                .addLayer("aux", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(2)
                        .activation(Activation.IDENTITY).build(), "sum")
                .setOutputs("out", "aux").build();
        ComputationGraph g = perturbed(new ComputationGraph(conf), 0.4);
        Path zip = save(g, "graph.zip");
        INDArray a = Nd4j.rand(DataType.FLOAT, 5, 4).subi(0.5).muli(3), b = Nd4j.rand(DataType.FLOAT, 5, 3).subi(0.5).muli(3);
        INDArray[] want = g.output(false, a, b);
        double penalty = g.calcRegularizationScore(true);

        Path out = tmp.resolve("graph.keras");
        TestSupport.Run r = TestSupport.cli("export", zip.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        KerasLoad.Loaded k = KerasLoad.predict(tmp, out, java.util.Map.of("x__a", nd(a), "x__b", nd(b)), true);
        assertEquals(2, k.ys().size(), k.result().toString());
        long n = weightCount(k.result()); // as in assertSameAsDl4j
        for (int o = 0; o < 2; o++) {
            float[] w = want[o].dup('c').data().asFloat();
            double tol = Tolerances.between(n, Tolerances.maxAbs(w));
            for (int i = 0; i < w.length; i++) assertEquals(w[i], k.ys().get(o)[i], tol, "output " + o + " value " + i);
        }
        assertEquals(penalty, k.result().get("reg_loss").asDouble(), Tolerances.between(n, penalty), "weight penalties");
        assertEquals("Adam", k.result().get("optimizer").get("class_name").asText(), k.result().toString());
        assertEquals(List.of("a", "b"), Json.MAPPER.convertValue(k.result().get("input_names"), List.class));
        JsonNode cfg = Json.MAPPER.readTree(zipEntry(out, "config.json"));
        assertEquals("Functional", cfg.get("class_name").asText());
        // one loss per output layer, by output name
        assertEquals("{\"out\":\"categorical_crossentropy\",\"aux\":\"mean_squared_error\"}", cfg.get("compile_config").get("loss").toString());
    }

    /** A channels-first DL4J CNN graph with a residual Add and an inception-style channel concatenation. */
    @Test
    void convolutionalGraphWithResidualAndConcatLoadsInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        var same = org.deeplearning4j.nn.conf.ConvolutionMode.Same;
        var conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT).updater(new org.nd4j.linalg.learning.config.Sgd(0.05))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("img")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(8, 8, 2))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(same).activation(Activation.RELU)
                        .regularization(List.of(new L2Regularization(0.02))).build(), "img")
                .addLayer("c2a", new ConvolutionLayer.Builder(1, 1).nOut(3).convolutionMode(same).activation(Activation.IDENTITY).build(), "c1")
                .addLayer("c2b", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(same).activation(Activation.RELU).build(), "c1")
                .addVertex("res", new ElementWiseVertex(ElementWiseVertex.Op.Add), "c1", "c2b")
                .addVertex("inc", new MergeVertex(), "res", "c2a")
                .addLayer("pool", new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.MAX)
                        .kernelSize(2, 2).stride(2, 2).build(), "inc")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph g = perturbed(new ComputationGraph(conf), 0.3);
        Path zip = save(g, "cnngraph.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 8, 8);
        float[] want = g.outputSingle(false, x).dup('c').data().asFloat();
        double penalty = g.calcRegularizationScore(true);
        assertSameAsDl4j(want, penalty, exportAndLoad(zip, x, "cnngraph"));
    }

    /** Separable, depthwise and transposed convolutions (kernel layouts converted), channels-first and channels-last. */
    @Test
    void separableDepthwiseAndTransposedConvolutionsLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        for (var fmt : new org.deeplearning4j.nn.conf.CNN2DFormat[]{org.deeplearning4j.nn.conf.CNN2DFormat.NCHW, org.deeplearning4j.nn.conf.CNN2DFormat.NHWC}) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(13).dataType(DataType.FLOAT)
                    .updater(new Adam(0.002)).weightInit(WeightInit.XAVIER).list()
                    .layer(new org.deeplearning4j.nn.conf.layers.SeparableConvolution2D.Builder(3, 3).name("sep").nOut(4).depthMultiplier(2)
                            .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.RELU).dataFormat(fmt)
                            .regularization(List.of(new L2Regularization(0.01))).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.Builder(3, 3).name("dw").depthMultiplier(2)
                            .activation(Activation.TANH).dataFormat(fmt).regularization(List.of(new L1Regularization(0.003))).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.Deconvolution2D.Builder(2, 2).name("deconv").nOut(3).stride(2, 2)
                            .activation(Activation.SIGMOID).dataFormat(fmt).regularization(List.of(new L2Regularization(0.004))).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3).activation(Activation.SOFTMAX).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(8, 8, 3, fmt))
                    .build();
            MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.3);
            Path zip = save(net, "convs-" + fmt + ".zip");
            INDArray x = fmt == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW ? Nd4j.rand(DataType.FLOAT, 3, 3, 8, 8) : Nd4j.rand(DataType.FLOAT, 3, 8, 8, 3);
            float[] want = net.output(x, false).dup('c').data().asFloat();
            assertSameAsDl4j(want, net.calcRegularizationScore(true), exportAndLoad(zip, x, "convs" + fmt));
        }
    }

    /**
     * DL4J's Bidirectional (CONCAT over an LSTM, ADD over a SimpleRnn; NCW input) as Keras' Bidirectional with the
     * forward and backward weights from DL4J's f/b parameters; LastTimeStep(Bidirectional), which has no Keras
     * counterpart, is refused by name.
     */
    @Test
    void bidirectionalRecurrentLayersLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        var bi = org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.class;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(17).dataType(DataType.FLOAT)
                .updater(new Adam(0.001)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.CONCAT,
                        new LSTM.Builder().name("lstm").nIn(3).nOut(4).activation(Activation.TANH)
                                .regularization(List.of(new L2Regularization(0.01))).build()))
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.ADD,
                        new org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn.Builder().name("rnn").nIn(8).nOut(5).activation(Activation.TANH).build()))
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.AVG).name("pool").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(5).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.4);
        Path zip = save(net, "bi.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 6).subi(0.5).muli(2);
        float[] want = net.output(x, false).dup('c').data().asFloat();
        assertSameAsDl4j(want, net.calcRegularizationScore(true), exportAndLoad(zip, x, "bi"));

        MultiLayerNetwork last = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(
                        new LSTM.Builder().name("lstm").nIn(3).nOut(4).build())))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nIn(8).nOut(1).activation(Activation.IDENTITY).build())
                .build());
        last.init();
        Path lz = tmp.resolve("bilast.zip");
        ModelSerializer.writeModel(last, lz.toFile(), false);
        TestSupport.Run r = TestSupport.cli("export", lz.toString(), "-o", tmp.resolve("bilast.keras").toString());
        assertEquals(ExitCode.UNSUPPORTED.code, r.code(), r.err());
        assertTrue(r.err().contains("LastTimeStep") && r.err().contains("Bidirectional"), r.err());
    }

    /** EmbeddingLayer (one index per row), RepeatVector, and 1-D zero padding, cropping and up-sampling on sequences. */
    @Test
    void embeddingRepeatVectorAndOneDimensionalLayersLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(21).dataType(DataType.FLOAT)
                .updater(new Adam(0.001)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.EmbeddingLayer.Builder().name("emb").nIn(10).nOut(4).hasBias(false)
                        .regularization(List.of(new L2Regularization(0.02))).build())
                .layer(new DenseLayer.Builder().name("dense").nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.misc.RepeatVector.Builder(3).name("repeat").build())
                .layer(new LSTM.Builder().name("lstm").nIn(5).nOut(6).activation(Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer.Builder(1, 2).name("pad").build())
                .layer(new org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D.Builder(1, 0).name("crop").build())
                .layer(new org.deeplearning4j.nn.conf.layers.Upsampling1D.Builder(2).name("up").build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.MAX).name("pool").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.4);
        Path zip = save(net, "emb1d.zip");
        INDArray x = Nd4j.createFromArray(new float[][]{{0}, {3}, {9}, {5}});
        float[] want = net.output(x, false).dup('c').data().asFloat();
        assertSameAsDl4j(want, net.calcRegularizationScore(true), exportAndLoad(zip, x, "emb1d"));
    }

    /** DL4J's ScaleVertex and ShiftVertex (Rescaling) and ReshapeVertex (Reshape) in a graph; a sequence after the reshape. */
    @Test
    void scaleShiftAndReshapeVerticesLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        var conf = new NeuralNetConfiguration.Builder().seed(23).dataType(DataType.FLOAT).updater(new Adam(0.001))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.TANH).build(), "in")
                .addVertex("scale", new org.deeplearning4j.nn.conf.graph.ScaleVertex(0.5), "dense")
                .addVertex("shift", new org.deeplearning4j.nn.conf.graph.ShiftVertex(-0.25), "scale")
                .addVertex("seq", new org.deeplearning4j.nn.conf.graph.ReshapeVertex(-1, 2, 3), "shift")
                .addLayer("lstm", new org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep(new LSTM.Builder().nIn(2).nOut(3)
                        .activation(Activation.TANH).build()), "seq")
                .addVertex("flat", new org.deeplearning4j.nn.conf.graph.ReshapeVertex(-1, 6), "shift")
                .addVertex("cat", new MergeVertex(), "lstm", "flat")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(9).nOut(2).activation(Activation.IDENTITY).build(), "cat")
                .setOutputs("out").build();
        ComputationGraph g = perturbed(new ComputationGraph(conf), 0.4);
        Path zip = save(g, "vertices.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5).subi(0.5).muli(2);
        float[] want = g.outputSingle(false, x).dup('c').data().asFloat();
        assertSameAsDl4j(want, g.calcRegularizationScore(true), exportAndLoad(zip, x, "vertices"));
    }

    /** 3-D convolution, pooling, up-sampling, padding and cropping (NCDHW), and a channels-last (NDHWC) variant. */
    @Test
    void threeDimensionalLayersLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        for (var fmt : new org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat[]{
                org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NCDHW, org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NDHWC}) {
            boolean ncdhw = fmt == org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.NCDHW;
            var list = new NeuralNetConfiguration.Builder().seed(29).dataType(DataType.FLOAT).updater(new Adam(0.001))
                    .weightInit(WeightInit.XAVIER).list()
                    .layer(new org.deeplearning4j.nn.conf.layers.Convolution3D.Builder(2, 2, 2).name("conv").nOut(3).padding(1, 0, 1).dataFormat(fmt)
                            .activation(Activation.RELU).regularization(List.of(new L2Regularization(0.01))).build());
            if (ncdhw) // DL4J's 3-D padding and cropping layers are channels-first only
                list.layer(new org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer.Builder(1, 0, 1, 1, 0, 2).name("pad").build())
                        .layer(new org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D.Builder(0, 1, 1, 0, 1, 1).name("crop").build());
            // DL4J M2.1's Upsampling3D reports a channels-last output type whatever its format: not last before a preprocessor
            list.layer(new org.deeplearning4j.nn.conf.layers.Upsampling3D.Builder(2).name("up").dataFormat(fmt).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.Convolution3D.Builder(1, 2, 1).name("conv2").nOut(2).dataFormat(fmt)
                            .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.TANH).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.Subsampling3DLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.MAX, new int[]{2, 2, 2})
                            .name("pool").stride(2, 2, 2).dataFormat(fmt).build());
            MultiLayerConfiguration conf = list
                    .layer(new DenseLayer.Builder().name("dense").nOut(4).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2).activation(Activation.SOFTMAX).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional3D(fmt, 7, 6, 5, 2))
                    .build();
            MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.3);
            Path zip = save(net, "vol-" + fmt + ".zip");
            INDArray x = ncdhw ? Nd4j.rand(DataType.FLOAT, 3, 2, 7, 6, 5) : Nd4j.rand(DataType.FLOAT, 3, 7, 6, 5, 2);
            float[] want = net.output(x, false).dup('c').data().asFloat();
            assertSameAsDl4j(want, net.calcRegularizationScore(true), exportAndLoad(zip, x, "vol" + fmt));
        }
    }

    /**
     * Convolutions with DL4J's explicit padding (Truncate mode) get a ZeroPadding2D before them. DL4J's depthwise and
     * separable convolutions compute something else than zero padding with it (measured): those are refused.
     */
    @Test
    void explicitlyPaddedConvolutionsLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        for (var fmt : new org.deeplearning4j.nn.conf.CNN2DFormat[]{org.deeplearning4j.nn.conf.CNN2DFormat.NCHW, org.deeplearning4j.nn.conf.CNN2DFormat.NHWC}) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(31).dataType(DataType.FLOAT)
                    .updater(new Adam(0.001)).weightInit(WeightInit.XAVIER).list()
                    .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(4).stride(2, 2).padding(1, 1).dataFormat(fmt)
                            .activation(Activation.RELU).build())
                    .layer(new ConvolutionLayer.Builder(2, 3).name("conv2").nOut(3).padding(2, 1).dataFormat(fmt)
                            .activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2).activation(Activation.SOFTMAX).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(9, 8, 2, fmt))
                    .build();
            MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.3);
            Path zip = save(net, "padded-" + fmt + ".zip");
            INDArray x = fmt == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW ? Nd4j.rand(DataType.FLOAT, 3, 2, 9, 8) : Nd4j.rand(DataType.FLOAT, 3, 9, 8, 2);
            float[] want = net.output(x, false).dup('c').data().asFloat();
            assertSameAsDl4j(want, net.calcRegularizationScore(true), exportAndLoad(zip, x, "padded" + fmt));
        }
        MultiLayerNetwork dw = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.Builder(3, 3).name("dw").padding(1, 1).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(5, 5, 2)).build());
        dw.init();
        Path dz = tmp.resolve("dwpad.zip");
        ModelSerializer.writeModel(dw, dz.toFile(), false);
        TestSupport.Run r = TestSupport.cli("export", dz.toString(), "-o", tmp.resolve("dwpad.keras").toString());
        assertEquals(ExitCode.UNSUPPORTED.code, r.code(), r.err());
        assertTrue(r.err().contains("dw") && r.err().contains("padding"), r.err());
    }

    /**
     * TimeDistributed(DenseLayer) and RnnLossLayer on a sequence; an L2NormalizeVertex (UnitNormalization) and a
     * LossLayer (an Activation, the loss in the compile config) in a graph.
     */
    @Test
    void timeDistributedLossLayersAndL2NormalizeLoadInKeras() throws Exception {
        org.kerasport.dl4j.runtime.Backend.init();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(37).dataType(DataType.FLOAT)
                .updater(new Adam(0.001)).weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().name("enc").nIn(3).nOut(5).activation(Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed(new DenseLayer.Builder().name("td").nIn(5).nOut(4)
                        .activation(Activation.RELU).regularization(List.of(new L2Regularization(0.03))).build(), org.deeplearning4j.nn.conf.RNNFormat.NCW))
                .layer(new org.deeplearning4j.nn.conf.layers.RnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).name("loss")
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = perturbed(new MultiLayerNetwork(conf), 0.4);
        Path zip = save(net, "td.zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5).subi(0.5);
        INDArray dl4j = net.output(x, false); // [batch, 4, time]
        KerasLoad.Loaded k = exportAndLoad(zip, x, "td");
        assertSameAsDl4j(dl4j.permute(0, 2, 1).dup('c').data().asFloat(), net.calcRegularizationScore(true), k);
        assertEquals("Adam", k.result().get("optimizer").get("class_name").asText(), k.result().toString());

        var gconf = new NeuralNetConfiguration.Builder().seed(41).dataType(DataType.FLOAT).updater(new Adam(0.001))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.IDENTITY).build(), "in")
                .addVertex("unit", new org.deeplearning4j.nn.conf.graph.L2NormalizeVertex(), "dense")
                .addLayer("proj", new DenseLayer.Builder().nIn(6).nOut(3).activation(Activation.IDENTITY).build(), "unit")
                .addLayer("loss", new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "proj")
                .setOutputs("loss").build();
        ComputationGraph g = perturbed(new ComputationGraph(gconf), 0.4);
        Path gzip = save(g, "unit.zip");
        INDArray gx = Nd4j.rand(DataType.FLOAT, 5, 4).subi(0.5).muli(3);
        KerasLoad.Loaded gk = exportAndLoad(gzip, gx, "unit");
        assertSameAsDl4j(g.outputSingle(false, gx).dup('c').data().asFloat(), g.calcRegularizationScore(true), gk);
        assertEquals("Adam", gk.result().get("optimizer").get("class_name").asText(), gk.result().toString());
    }

    /** A vertex without a Keras counterpart is refused by name; nothing is written. */
    @Test
    void graphVertexWithoutACounterpartIsNamed() throws Exception {
        var conf = new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(4).nOut(4).build(), "in")
                .addVertex("half", new org.deeplearning4j.nn.conf.graph.SubsetVertex(0, 1), "d")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1).activation(Activation.IDENTITY).build(), "half")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Path zip = tmp.resolve("subset.zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        TestSupport.Run r = TestSupport.cli("export", zip.toString(), "-o", tmp.resolve("subset.keras").toString());
        assertEquals(ExitCode.UNSUPPORTED.code, r.code(), r.err());
        assertTrue(r.err().contains("half") && r.err().contains("SubsetVertex"), r.err());
        assertTrue(!Files.exists(tmp.resolve("subset.keras")), "nothing written");
    }

    /** The network initialized, every parameter moved by up to ±scale/2 (non-zero biases and statistics too). */
    private static <M extends org.deeplearning4j.nn.api.Model> M perturbed(M net, double scale) {
        net.init();
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5).muli(scale));
        return net;
    }

    /** Saves the network (with its updater) as a ModelSerializer zip in the test's directory. */
    private Path save(org.deeplearning4j.nn.api.Model net, String name) throws java.io.IOException {
        Path zip = tmp.resolve(name);
        ModelSerializer.writeModel(net, zip.toFile(), true);
        return zip;
    }

    private static NdArray nd(INDArray a) {
        return new NdArray(a.shape(), a.dup('c').data().asFloat(), "float32");
    }

    private static String zipEntry(Path zip, String name) throws Exception {
        try (var z = new java.util.zip.ZipFile(zip.toFile())) {
            return new String(z.getInputStream(z.getEntry(name)).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
