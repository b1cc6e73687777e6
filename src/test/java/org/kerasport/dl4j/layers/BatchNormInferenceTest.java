package org.kerasport.dl4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Reference;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.Tolerances;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kerasport's BatchNormalization in inference mode (prediction, and a frozen base in training): Keras' formula
 * y = x·inv + (beta − mean·inv), inv = gamma/√(var + ε), checked against that formula evaluated in doubles, on
 * channels-last images and on [batch, features] rows, with gamma and beta and without them (DL4J's locked constants).
 * And its memory: a forward pass leaves no activation-sized array outside DL4J's workspaces, which DL4J's own layer
 * did (two copies per layer per batch, freed only by a garbage collection: predict's memory grew by 210 MB per batch
 * of 32 on ResNet50 at 64×64; bench/RESULTS.md, "Memory"). ApplicationsKerasTest, ConvInteropTest and
 * TeachableMachineTest compare whole models using it with real Keras.
 */
@Tag("unit")
class BatchNormInferenceTest {
    @Test
    void equalsKerasFormulaOnImagesAndRows() {
        for (boolean affine : new boolean[]{true, false}) {
            check(InputType.convolutional(5, 6, 7, CNN2DFormat.NHWC), new long[]{4, 5, 6, 7}, affine);
            check(InputType.feedForward(9), new long[]{3, 9}, affine);
        }
    }

    private static void check(InputType in, long[] shape, boolean affine) {
        long ch = shape[shape.length - 1];
        ComputationGraph g = graph(in, ch, affine);
        Nd4j.getRandom().setSeed(5);
        g.getLayer("bn").setParam(BatchNormalizationParamInitializer.GLOBAL_MEAN, Nd4j.rand(DataType.FLOAT, 1, ch).subi(0.5));
        g.getLayer("bn").setParam(BatchNormalizationParamInitializer.GLOBAL_VAR, Nd4j.rand(DataType.FLOAT, 1, ch).addi(0.1));
        if (affine) {
            g.getLayer("bn").setParam(BatchNormalizationParamInitializer.GAMMA, Nd4j.rand(DataType.FLOAT, 1, ch).muli(2));
            g.getLayer("bn").setParam(BatchNormalizationParamInitializer.BETA, Nd4j.rand(DataType.FLOAT, 1, ch).subi(0.5));
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).subi(0.5).muli(4);
        INDArray y = g.output(false, x)[0];
        INDArray mean = g.getLayer("bn").getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray var = g.getLayer("bn").getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
        double eps = 1e-3;
        long n = x.length();
        INDArray xf = x.reshape(n / ch, ch), yf = y.reshape(n / ch, ch);
        for (long r = 0; r < n / ch; r++)
            for (long c = 0; c < ch; c++) {
                double gamma = affine ? g.getLayer("bn").getParam(BatchNormalizationParamInitializer.GAMMA).getDouble(c) : 1;
                double beta = affine ? g.getLayer("bn").getParam(BatchNormalizationParamInitializer.BETA).getDouble(c) : 0;
                double inv = gamma / Math.sqrt(var.getDouble(c) + eps);
                double want = xf.getDouble(r, c) * inv + (beta - mean.getDouble(c) * inv);
                // float32: inv from var + ε, √, ÷, ×gamma (4 roundings, relative); the shift mean·inv − beta and
                // x·inv + shift (3 more, each relative to the largest term it combines)
                double scale = Math.abs(xf.getDouble(r, c) * inv) + Math.abs(mean.getDouble(c) * inv) + Math.abs(beta);
                assertEquals(want, yf.getDouble(r, c), Tolerances.roundings(8, scale), "row " + r + " channel " + c + " affine " + affine);
            }
    }

    @Test
    void aForwardPassLeavesNoActivationOutsideTheWorkspaces() throws Exception {
        ComputationGraph g = graph(InputType.convolutional(16, 16, 8, CNN2DFormat.NHWC), 8, true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 16, 16, 8);
        g.output(false, x); // the workspaces learn their sizes
        g.output(false, x);
        Set<String> before = new HashSet<>(references().keySet());
        g.output(false, x);
        long activation = x.length() * 4, detached = 0;
        for (var e : references().entrySet()) {
            if (before.contains(e.getKey())) continue;
            Object b = ((Reference<?>) e.getValue()).get();
            if (b instanceof DataBuffer db && !db.isAttached() && !db.isConstant() && db.originalDataBuffer() == null
                    && db.length() * db.getElementSize() >= activation)
                detached += db.length() * db.getElementSize();
        }
        // the output itself is returned detached: one activation
        assertTrue(detached <= activation, "arrays left outside the workspaces: " + detached + " bytes, one activation is " + activation);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> references() throws Exception {
        var f = DeallocatorService.class.getDeclaredField("referenceMap"); // every array ND4J frees on collection
        f.setAccessible(true);
        return (Map<String, Object>) f.get(Nd4j.getDeallocatorService());
    }

    private static ComputationGraph graph(InputType in, long ch, boolean affine) {
        KerasBatchNormalization bn = new KerasBatchNormalization();
        bn.setNIn(ch);
        bn.setNOut(ch);
        bn.setEps(1e-3);
        bn.setCnn2DFormat(CNN2DFormat.NHWC);
        bn.setHasGamma(affine);
        bn.setHasBeta(affine);
        bn.setLockGammaBeta(!affine);
        var conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .addLayer("bn", bn, "in").setOutputs("bn").setInputTypes(in).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }
}
