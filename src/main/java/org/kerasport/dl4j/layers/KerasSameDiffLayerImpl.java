package org.kerasport.dl4j.layers;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.util.SameDiffUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's SameDiff layer implementation with two fixes: the regularization penalty is part of the score (DL4J's own
 * SameDiff layer adds none to the score, though its updater applies the regularization gradient), so the reported
 * loss equals Keras'; and the gradient is exact: in ND4J 1.0.0-M2.1 the external-errors gradient function counts the
 * incoming error twice (dL/dout = 2·ε: the placeholder is both registered as the output's gradient and returned by
 * doDiff, and the two are summed), so every parameter gradient and dL/dinput of a DL4J SameDiff layer is doubled. The
 * factor is measured once on a probe graph and the incoming error divided by it (a power of two: exact).
 */
public class KerasSameDiffLayerImpl extends SameDiffLayer {
    public KerasSameDiffLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private static volatile Double externalErrorsFactor;

    /** dL/dW that ND4J's external-errors gradient gives for out = x·W with x, W, ε all ones (x [1, 3], W [3, 2]; the exact value is 1). */
    public static double externalErrorsFactor() {
        if (externalErrorsFactor == null) {
            synchronized (KerasSameDiffLayerImpl.class) {
                if (externalErrorsFactor == null) {
                    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                        SameDiff sd = SameDiff.create();
                        SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 3);
                        SDVariable w = sd.var("W", Nd4j.ones(DataType.FLOAT, 3, 2));
                        ExternalErrorsFunction fn = SameDiffUtils.externalErrors(sd, null, x.mmul(w));
                        fn.outputVariable();
                        sd.createGradFunction("input");
                        Map<String, INDArray> g = sd.calculateGradients(Map.of("input", Nd4j.ones(DataType.FLOAT, 1, 3),
                                fn.getGradPlaceholderName(), Nd4j.ones(DataType.FLOAT, 1, 2)), List.of("input", "W"));
                        externalErrorsFactor = g.get("W").getDouble(0);
                    }
                }
            }
        }
        return externalErrorsFactor;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        selectGraph();
        double f = externalErrorsFactor();
        return super.backpropGradient(f == 1.0 ? epsilon : epsilon.mul(1.0 / f), workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        selectGraph();
        return super.activate(training, workspaceMgr);
    }

    /** One SameDiff graph per input shape (batch aside), as DL4J builds it from the first input it sees. */
    private final Map<String, Object[]> graphs = new java.util.HashMap<>();
    private String current;

    /**
     * DL4J builds a SameDiff layer's graph once, for the shape of the first input; a recurrent layer is unrolled
     * over that input's length. An input of another shape (a sequence of another length) gets a graph of its own,
     * kept for the next batch of that shape; every graph reads the same parameter arrays.
     */
    private void selectGraph() {
        if (input == null) return;
        long[] shape = input.shape().clone();
        shape[0] = -1;
        String key = java.util.Arrays.toString(shape);
        if (key.equals(current)) return;
        if (current != null && sameDiff != null) graphs.put(current, new Object[]{sameDiff, outputVar, fn, outputKey});
        Object[] g = graphs.get(key);
        if (g == null) {
            sameDiff = null; // DL4J's doInit builds it for this input
            outputVar = null;
            fn = null;
            outputKey = null;
        } else {
            sameDiff = (SameDiff) g[0];
            outputVar = (SDVariable) g[1];
            fn = (ExternalErrorsFunction) g[2];
            outputKey = (String) g[3];
        }
        current = key;
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        double sum = 0.0;
        for (Map.Entry<String, INDArray> e : paramTable(backpropParamsOnly).entrySet()) {
            List<Regularization> l = layerConf().getRegularizationByParam(e.getKey());
            if (l == null) continue;
            for (Regularization r : l) sum += r.score(e.getValue(), getIterationCount(), getEpochCount());
        }
        return sum;
    }
}
