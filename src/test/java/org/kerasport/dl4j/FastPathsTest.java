package org.kerasport.dl4j;

import org.kerasport.dl4j.runtime.Backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.format.KerasReader;

/**
 * The fast native paths are on in this JVM (so every trajectory test of the suite runs through them), and only where
 * they compute correctly: channels-first Conv2D and max or unpadded average pooling get oneDNN helpers; no
 * channels-last layer does (DL4J's NHWC oneDNN convolution computes wrong gradients, PERFORMANCE_NOTES.md), and
 * an average pooling with padding does not (oneDNN would count the padding in the divisor). That the results equal
 * Keras's is ConvInteropTest's cnn_fast_path case, trained step by step against real Keras.
 */
@Tag("interop")
@Tag("corpus")
@Tag("trajectory")
class FastPathsTest {
    /** A oneDNN build is what a CPU with AVX-512 (and no KERASPORT_NATIVE=stock) runs, or one with AVX2 and KERASPORT_NATIVE=onednn; elsewhere the default build. */
    static boolean oneDnnExpected() {
        return org.kerasport.util.NativeSetup.oneDnnExpected();
    }

    static void assumeOneDnn() {
        org.junit.jupiter.api.Assumptions.assumeTrue(oneDnnExpected(),
                "needs ND4J's oneDNN build: a CPU with AVX-512 F/CD/BW/DQ/VL and KERASPORT_NATIVE unset or auto, or AVX2 and KERASPORT_NATIVE=onednn");
    }

    @Test
    void oneDnnBuildIsActiveOnThisMachine() {
        assumeOneDnn();
        assertTrue(Backend.oneDnn(), "ND4J loaded without oneDNN: something loaded ND4J before Backend.init()");
        assertTrue(Backend.describe().contains("oneDNN build"), Backend.describe());
    }

    /** Without AVX-512 (unless KERASPORT_NATIVE=onednn), or with KERASPORT_NATIVE=stock, ND4J's default build runs, and says so. */
    @Test
    void defaultBuildElsewhere() {
        org.junit.jupiter.api.Assumptions.assumeFalse(oneDnnExpected(), "this machine runs the oneDNN build");
        assertFalse(Backend.oneDnn(), Backend.describe());
        org.kerasport.TestSupport.Run r = org.kerasport.TestSupport.cli("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("native: ND4J default build"), r.out());
    }

    @Test
    void versionNamesTheNativePath() {
        assumeOneDnn();
        org.kerasport.TestSupport.Run r = org.kerasport.TestSupport.cli("--version");
        assertEquals(0, r.code());
        String isa = org.kerasport.util.NativeSetup.cpuHasAvx512() ? "AVX-512" : "AVX2";
        assertTrue(r.out().contains("native: ND4J oneDNN build (" + isa + ")"), r.out());
    }

    /** Only the dense layer that reads the network input skips its input's gradient (trajectories: TrainingTrajectoryTest). */
    @Test
    void onlyTheFirstDenseLayerSkipsItsInputGradient() {
        ImportedModel im = Dl4jImporter.importForTraining(org.kerasport.format.KerasReader.read(Path.of("models/seed_mlp.keras")), false);
        java.util.List<Boolean> needed = new java.util.ArrayList<>();
        for (Layer l : im.graph().getLayers())
            if (l instanceof org.kerasport.dl4j.layers.KerasDenseImpl d) needed.add(d.inputGradientNeeded());
        assertEquals(java.util.List.of(false), needed, "seed model: one hidden Dense (then the output layer), fed by the input");
    }

    /** Prints JavaCPP's resident-size limit after reading a model, the first thing a fresh JVM does. */
    public static final class PhysicalBytesProbe {
        public static void main(String[] a) {
            org.kerasport.format.KerasReader.read(Path.of(a[0]));
            System.out.println("maxPhysicalBytes=" + org.bytedeco.javacpp.Pointer.maxPhysicalBytes());
        }
    }

    private static String probe(String... jvmOptions) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(java.util.List.of(jvmOptions));
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), PhysicalBytesProbe.class.getName(), "models/seed_mlp.keras"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** JavaCPP's per-allocation resident-size reading is off from the first native library a JVM loads (HDF5's), unless the user set the limit. */
    @Test
    void javacppResidentSizeCheckIsOffUnlessTheUserSetsIt() throws Exception {
        assertTrue(probe().contains("maxPhysicalBytes=0"), "off by default");
        assertTrue(probe("-Dorg.bytedeco.javacpp.maxPhysicalBytes=3g").contains("maxPhysicalBytes=3221225472"), "the user's value stays");
    }

    /** KERASPORT_NATIVE=stock really loads ND4J's default build (JavaCPP would otherwise pick the oneDNN jar). */
    @Test
    void stockModeLoadsTheDefaultBuild() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                org.kerasport.cli.Main.class.getName(), "--version").redirectErrorStream(true);
        pb.environment().put("KERASPORT_NATIVE", "stock");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("native: ND4J default build"), out);
    }

    /**
     * The default: Keras' channels-last convolutions stay channels-last and run through ND4J's oneDNN conv2d and
     * conv2d_bp on contiguous arrays (KerasConvolution2DImpl), with no DL4J helper and no layout changes in the graph;
     * the convolution reading the network input computes only its weight gradient.
     */
    @Test
    void convolutionsRunChannelsLastThroughNd4jsOps() throws Exception {
        assumeOneDnn(); // Backend turns these paths on with the oneDNN build only
        assertTrue(Backend.nhwcOps());
        ComputationGraph g = importCase("cnn_fast_path");
        Map<String, Layer> layers = layersByName(g);
        for (String conv : new String[]{"c1", "c2", "c3", "c4"}) {
            Layer l = layers.get(conv);
            assertEquals(CNN2DFormat.NHWC, ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) l.conf().getLayer()).getCnn2dDataFormat(), conv);
            assertNull(helper(ConvolutionLayer.class, l), conv + ": DL4J's NHWC helper computes wrong gradients");
            assertTrue(l instanceof org.kerasport.dl4j.layers.KerasConvolution2DImpl, conv);
            assertEquals(!conv.equals("c1"), ((org.kerasport.dl4j.layers.KerasConvolution2DImpl) l).inputGradientNeeded(), conv);
        }
        for (String pool : new String[]{"p1", "p2", "p3", "p4"}) assertNull(helper(SubsamplingLayer.class, layers.get(pool)), pool);
        assertNull(g.getVertex("input__nchw"));
        assertEquals(4, stepAndPredict(g));
    }

    /**
     * A max pooling applies the ReLU of a convolution it alone reads (c1 -> p1 and c2 -> p2 in cnn_fast_path and in
     * relu_pool_ties), never an average pooling's input (c3 is linear, c4 tanh) nor a convolution with several readers
     * (maxpool_ties' c1 feeds three poolings); the channels-first opt-out path leaves every layer as it is.
     */
    @Test
    void maxPoolingTakesOverTheReluOfAConvolutionItAloneReads() throws Exception {
        assumeOneDnn(); // Backend turns these paths on with the oneDNN build only
        Map<String, Layer> fast = layersByName(importCase("cnn_fast_path"));
        for (String c : new String[]{"c1", "c2", "c3", "c4"})
            assertEquals(c.equals("c1") || c.equals("c2"), ((org.kerasport.dl4j.layers.KerasConvolution2DImpl) fast.get(c)).reluDeferred(), c);
        for (String p : new String[]{"p1", "p2", "p3", "p4"})
            assertEquals(p.equals("p1") || p.equals("p2"), ((org.kerasport.dl4j.layers.KerasSubsamplingImpl) fast.get(p)).reluAfter(), p);
        Map<String, Layer> ties = layersByName(importCase("relu_pool_ties"));
        assertTrue(((org.kerasport.dl4j.layers.KerasConvolution2DImpl) ties.get("c1")).reluDeferred());
        assertTrue(((org.kerasport.dl4j.layers.KerasSubsamplingImpl) ties.get("p2")).reluAfter());
        Map<String, Layer> shared = layersByName(importCase("maxpool_ties"));
        assertFalse(((org.kerasport.dl4j.layers.KerasConvolution2DImpl) shared.get("c1")).reluDeferred());
        for (String p : new String[]{"pa", "pb", "pc"}) assertFalse(((org.kerasport.dl4j.layers.KerasSubsamplingImpl) shared.get(p)).reluAfter(), p);
        System.setProperty("kerasport.conv", "nchw");
        try {
            Map<String, Layer> nchw = layersByName(importCase("cnn_fast_path"));
            assertFalse(((org.kerasport.dl4j.layers.KerasConvolution2DImpl) nchw.get("c1")).reluDeferred());
            assertFalse(((org.kerasport.dl4j.layers.KerasSubsamplingImpl) nchw.get("p1")).reluAfter());
        } finally {
            System.clearProperty("kerasport.conv");
        }
    }

    /**
     * -Dkerasport.conv=nchw: Conv2D and the 2-D poolings after it run channels-first with DL4J's oneDNN helpers, and
     * only where those compute correctly (max or unpadded average pooling; the graph reorders the tensor around them).
     */
    @Test
    void channelsFirstModeUsesDl4jsHelpersOnlyWhereCorrect() throws Exception {
        assumeOneDnn(); // Backend turns these paths on with the oneDNN build only
        System.setProperty("kerasport.conv", "nchw");
        try {
            ComputationGraph g = importCase("cnn_fast_path");
            Map<String, Layer> layers = layersByName(g);
            for (String conv : new String[]{"c1", "c2", "c3", "c4"}) {
                Layer l = layers.get(conv);
                assertEquals(CNN2DFormat.NCHW, ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) l.conf().getLayer()).getCnn2dDataFormat(), conv);
                assertNotNull(helper(ConvolutionLayer.class, l), conv + " has no oneDNN helper");
                assertEquals(!conv.equals("c1"), ((org.kerasport.dl4j.layers.KerasConvolution2DImpl) l).inputGradientNeeded(), conv);
            }
            for (String pool : new String[]{"p1", "p2", "p3"}) assertNotNull(helper(SubsamplingLayer.class, layers.get(pool)), pool);
            assertNull(helper(SubsamplingLayer.class, layers.get("p4")), "average pooling with padding must not use oneDNN");
            assertNotNull(g.getVertex("p4__nhwc"));
            assertNotNull(g.getVertex("input__nchw"));
            assertEquals(4, stepAndPredict(g));
            for (String v : new String[]{"c1", "c2", "c3", "c4"}) assertEquals(0, failures(ConvolutionLayer.class, layers.get(v)), v);
            for (String v : new String[]{"p1", "p2", "p3"}) assertEquals(0, failures(SubsamplingLayer.class, layers.get(v)), v);
        } finally {
            System.clearProperty("kerasport.conv");
        }
    }

    @Test
    void dilatedConvolutionStaysOnDl4jsOwnPath() throws Exception {
        ComputationGraph g = importCase("conv2d_stack");
        Layer dilated = g.getLayer("dilated");
        assertEquals(CNN2DFormat.NHWC, ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) dilated.conf().getLayer()).getCnn2dDataFormat());
        assertNull(helper(ConvolutionLayer.class, dilated));
    }

    @Test
    void channelsLastLayersGetNoHelper() throws Exception {
        // conv2d_stack: Conv2DTranspose, DepthwiseConv2D and pooling after them stay channels-last
        ComputationGraph g = importCase("conv2d_stack");
        int checked = 0;
        for (Layer l : g.getLayers()) {
            var conf = l.conf().getLayer();
            if (conf instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c && c.getCnn2dDataFormat() == CNN2DFormat.NHWC) {
                assertNull(helper(ConvolutionLayer.class, l), conf.getLayerName());
                checked++;
            } else if (conf instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer s && s.getCnn2dDataFormat() == CNN2DFormat.NHWC) {
                assertNull(helper(SubsamplingLayer.class, l), conf.getLayerName());
                checked++;
            }
        }
        assertTrue(checked >= 3, "expected channels-last convolutions and poolings in conv2d_stack, found " + checked);
    }

    /** A plain Keras LSTM runs as DL4J's own LSTM, its recurrent kernel keeping its own regularizer; a masked one does not. */
    @Test
    void plainLstmRunsAsDl4jLstm() {
        Path lstm = org.kerasport.TestSupport.shared().resolve("keras-reference/reg_rnn/lstm/model.keras");
        ComputationGraph g = Dl4jImporter.importForTraining(KerasReader.read(lstm), false).graph();
        org.kerasport.dl4j.layers.KerasLSTM found = null;
        boolean fusedImpl = false;
        for (Layer l : g.getLayers()) {
            var conf = l.conf().getLayer();
            if (conf instanceof org.kerasport.dl4j.layers.KerasLSTM k) found = k;
            // under DL4J's LastTimeStepLayer: the runtime layer that calls ND4J's fused lstmLayer op
            Layer inner = l instanceof org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer w ? w.getUnderlying() : l;
            fusedImpl |= inner instanceof org.kerasport.dl4j.layers.KerasLSTMImpl;
        }
        assertNotNull(found, "reg_rnn/lstm should map onto DL4J's LSTM");
        assertTrue(fusedImpl, "the LSTM's runtime layer is KerasLSTMImpl (ND4J's lstmLayer op on the oneDNN build)");
        // kernel L2, recurrent_kernel L1L2, bias L1 (case.json): three different lists
        assertTrue(found.getRegularizationByParam("W").toString().contains("L2"), found.getRegularizationByParam("W").toString());
        assertEquals(2, found.getRegularizationByParam("RW").size(), found.getRegularizationByParam("RW").toString());
        assertTrue(found.getRegularizationByParam("b").toString().contains("L1"), found.getRegularizationByParam("b").toString());

        Path masked = org.kerasport.TestSupport.shared().resolve("keras-reference/layers/masking_lstm/model.keras");
        ComputationGraph m = Dl4jImporter.importModel(KerasReader.read(masked), false).graph();
        boolean sameDiff = false;
        for (Layer l : m.getLayers()) sameDiff |= l.conf().getLayer() instanceof org.kerasport.dl4j.layers.KerasRecurrent;
        assertTrue(sameDiff, "a masked LSTM keeps the SameDiff cell (Keras' masking semantics)");
    }

    /**
     * The fused LSTM (ND4J's lstmLayer and lstmLayer_bp) predicts and differentiates as DL4J's own LSTM loop over a
     * shape sweep, including one time step, one example and the one-feature shapes it leaves to DL4J (where ND4J's
     * oneDNN op is wrong); the Keras trajectory case is ConvInteropTest's lstm_stack.
     */
    @Test
    void fusedLstmEqualsDl4jsLoop() {
        int[][] cases = {{1, 50, 24, 4}, {4, 5, 6, 4}, {8, 64, 20, 64}, {4, 1, 6, 4}, {3, 7, 2, 5}, {2, 5, 1, 3}, {16, 8, 6, 1}, {1, 8, 6, 4}};
        for (int[] cs : cases) {
            int nIn = cs[0], n = cs[1], t = cs[2], b = cs[3];
            var lstm = org.kerasport.dl4j.layers.KerasLSTM.of((org.deeplearning4j.nn.conf.layers.LSTM) new org.deeplearning4j.nn.conf.layers.LSTM.Builder()
                    .nIn(nIn).nOut(n).activation(new org.nd4j.linalg.activations.impl.ActivationTanH())
                    .gateActivationFunction(new org.nd4j.linalg.activations.impl.ActivationSigmoid())
                    .dataFormat(org.deeplearning4j.nn.conf.RNNFormat.NWC).build(), java.util.List.of());
            var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                    .graphBuilder().addInputs("in").addLayer("lstm", lstm, "in")
                    .addLayer("out", new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder(org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE)
                            .nIn(n).nOut(2).activation(org.nd4j.linalg.activations.Activation.IDENTITY)
                            .dataFormat(org.deeplearning4j.nn.conf.RNNFormat.NWC).build(), "lstm")
                    .setOutputs("out").build();
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            g.params().assign(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, g.params().shape()).subi(0.5));
            org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, b, t, nIn);
            org.nd4j.linalg.api.ndarray.INDArray y = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, b, t, 2);
            org.nd4j.linalg.api.ndarray.INDArray[] fused = outputAndGradient(g, x, y);
            System.setProperty("kerasport.lstm", "dl4j");
            org.nd4j.linalg.api.ndarray.INDArray[] loop;
            try {
                loop = outputAndGradient(g, x, y);
            } finally {
                System.clearProperty("kerasport.lstm");
            }
            // two float32 implementations of the same sums: through t steps of (nIn + n)-long gate products, and
            // the weight gradients over b·t positions (Tolerances.between, at the size of the compared arrays)
            long len = (long) t * (nIn + n) + (long) b * t;
            for (int i = 0; i < 2; i++) {
                double d = fused[i].sub(loop[i]).amaxNumber().doubleValue(), m = loop[i].amaxNumber().doubleValue();
                assertTrue(m > 0 && org.kerasport.Tolerances.observe("fused lstm", d, org.kerasport.Tolerances.between(len, m)),
                        java.util.Arrays.toString(cs) + (i == 0 ? " output" : " gradient") + ": " + d + " of " + m);
            }
        }
    }

    private static org.nd4j.linalg.api.ndarray.INDArray[] outputAndGradient(ComputationGraph g, org.nd4j.linalg.api.ndarray.INDArray x,
                                                                            org.nd4j.linalg.api.ndarray.INDArray y) {
        org.nd4j.linalg.api.ndarray.INDArray out = g.outputSingle(false, x).dup();
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        return new org.nd4j.linalg.api.ndarray.INDArray[]{out, g.gradient().gradient().dup()};
    }

    private static ComputationGraph importCase(String name) {
        return Dl4jImporter.importForTraining(KerasReader.read(ConvInteropTest.generated().resolve(name + "/model.keras")), false).graph();
    }

    private static Map<String, Layer> layersByName(ComputationGraph g) {
        Map<String, Layer> layers = new HashMap<>();
        for (Layer l : g.getLayers()) layers.put(l.conf().getLayer().getLayerName(), l);
        return layers;
    }

    /** One training step and one prediction on cnn_fast_path's 22x22x2 input; returns the prediction's rows. */
    private static long stepAndPredict(ComputationGraph g) {
        org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 22, 22, 2);
        org.nd4j.linalg.api.ndarray.INDArray y = org.nd4j.linalg.factory.Nd4j.eye(4).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        g.fit(new org.nd4j.linalg.dataset.MultiDataSet(new org.nd4j.linalg.api.ndarray.INDArray[]{x}, new org.nd4j.linalg.api.ndarray.INDArray[]{y}));
        return g.output(false, x)[0].size(0);
    }

    private static int failures(Class<?> owner, Layer l) throws ReflectiveOperationException {
        if (l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop f) l = f.getInsideLayer();
        Field f = owner.getDeclaredField("helperCountFail");
        f.setAccessible(true);
        return (int) f.get(l);
    }

    private static Object helper(Class<?> owner, Layer l) throws ReflectiveOperationException {
        if (l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop f) l = f.getInsideLayer();
        Field f = owner.getDeclaredField("helper");
        f.setAccessible(true);
        return f.get(l);
    }

    /**
     * The first convolution's weight gradient (one conv2d of the input by the output's gradient, permuted views as
     * its operands), channels-first and channels-last, equals what DL4J's own backward pass computes, over shapes
     * the Keras trajectory cases do not cover: several input channels, non-square 'same' kernels, 1x1 kernels, no bias.
     */
    @Test
    void firstConvolutionWeightGradientEqualsDl4jsBackwardPass() {
        int[][] cases = {{8, 3, 10, 4, 5, 3, 1, 1}, {16, 8, 12, 16, 3, 3, 1, 1}, {5, 1, 9, 2, 1, 1, 0, 1}, {7, 5, 6, 3, 2, 2, 0, 0}, {32, 1, 28, 8, 3, 3, 0, 1}};
        for (CNN2DFormat fmt : CNN2DFormat.values())
        for (int[] cs : cases) {
            int b = cs[0], c = cs[1], h = cs[2], o = cs[3];
            var mode = cs[6] == 1 ? org.deeplearning4j.nn.conf.ConvolutionMode.Same : org.deeplearning4j.nn.conf.ConvolutionMode.Truncate;
            var conv = org.kerasport.dl4j.layers.KerasConvolution2D.of((org.deeplearning4j.nn.conf.layers.ConvolutionLayer)
                    new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(cs[4], cs[5]).nIn(c).nOut(o).convolutionMode(mode)
                            .hasBias(cs[7] == 1).dataFormat(fmt)
                            .activation(org.nd4j.linalg.activations.Activation.RELU).build());
            var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3)
                    .dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT).graphBuilder().addInputs("in")
                    .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(h, h, c, fmt))
                    .addLayer("conv", conv, "in")
                    .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE)
                            .nOut(2).activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "conv")
                    .setOutputs("out").build();
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            GraphPasses.attachHelpers(g);
            var impl = (org.kerasport.dl4j.layers.KerasConvolution2DImpl) g.getLayer("conv");
            assertTrue(!impl.inputGradientNeeded(), "the convolution reads the network input");
            org.nd4j.linalg.api.ndarray.INDArray x = fmt == CNN2DFormat.NCHW ? org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, b, c, h, h)
                    : org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, b, h, h, c);
            org.nd4j.linalg.api.ndarray.INDArray y = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, b, 2);
            g.setInputs(x);
            g.setLabels(y);
            g.computeGradientAndScore();
            org.nd4j.linalg.api.ndarray.INDArray fast = g.gradient().gradient().dup();
            // the reference: DL4J's own backward pass (channels-first: ND4J's conv2d_bp through DL4J's helper;
            // channels-last: DL4J's im2col path, Kerasport's ND4J-op path switched off)
            impl.inputGradientNeeded(true);
            System.setProperty("kerasport.conv", "nchw");
            org.nd4j.linalg.api.ndarray.INDArray dl4j;
            try {
                g.computeGradientAndScore();
                dl4j = g.gradient().gradient().dup();
            } finally {
                System.clearProperty("kerasport.conv");
            }
            // the same sums in two orders: the convolution's weight gradient over b·h·h positions, the output layer's
            // over h·h·o inputs, the kernel's window (Tolerances.between, at the size of the gradient)
            double scale = dl4j.amaxNumber().doubleValue();
            long len = (long) b * h * h + (long) h * h * o + (long) c * cs[4] * cs[5];
            assertTrue(org.kerasport.Tolerances.observe("conv grad", fast.sub(dl4j).amaxNumber().doubleValue(),
                    org.kerasport.Tolerances.between(len, scale)), fmt + " " + java.util.Arrays.toString(cs) + ": "
                    + fast.sub(dl4j).amaxNumber() + " of " + scale);
            assertTrue(dl4j.amaxNumber().doubleValue() > 0, "a non-zero gradient");
        }
    }
}
