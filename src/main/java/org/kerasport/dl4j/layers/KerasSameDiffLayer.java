package org.kerasport.dl4j.layers;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Base of Kerasport's SameDiff layers, with a runtime that fixes two things of DL4J 1.0.0-M2.1's SameDiff layer
 * runtime: its parameters' regularization is applied to the gradients (in the updater) but left out of the score
 * ({@code calcRegularizationScore} returns 0), and its gradients come out doubled (see
 * {@link Runtime#backpropGradient}). Both checked against Keras training trajectories (AttentionKerasTest).
 */
public abstract class KerasSameDiffLayer extends SameDiffLayer {
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        Runtime ret = new Runtime(conf, networkDataType);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    /** DL4J's SameDiff layer runtime plus the regularization score of its parameters. */
    public static class Runtime extends org.deeplearning4j.nn.layers.samediff.SameDiffLayer {
        public Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** Whether the gradient function counts the external error twice (decided once, from the graph itself). */
        private Boolean doubledErrors;

        /**
         * DL4J 1.0.0-M2.1 builds the layer's gradient function with the external error (the gradient arriving from
         * the next layer) counted TWICE ({@code out-grad + out-grad}, ExternalErrorsFunction registers its gradient
         * and SameDiff adds it again), so every parameter and input gradient comes out doubled. When the gradient
         * function has that op, the incoming error is halved (exact in binary floating point) to compensate.
         */
        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (doubledErrors == null) {
                try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    if (sameDiff == null) doInit();
                    if (!sameDiff.hasGradientFunction()) sameDiff.createGradFunction(INPUT_KEY);
                }
                String g = fn.getGradPlaceholderName();
                int sums = 0;
                for (SameDiffOp op : sameDiff.getFunction("grad").getOps().values()) {
                    List<String> in = op.getInputsToOp();
                    if (in != null && in.size() == 2 && in.get(0).equals(g) && in.get(1).equals(g)) sums++;
                }
                doubledErrors = sums == 1;
            }
            return super.backpropGradient(doubledErrors ? epsilon.mul(0.5) : epsilon, workspaceMgr);
        }

        @Override
        public double calcRegularizationScore(boolean backpropParamsOnly) {
            double sum = 0;
            for (Map.Entry<String, INDArray> e : paramTable(backpropParamsOnly).entrySet()) {
                List<Regularization> regs = layerConf().getRegularizationByParam(e.getKey());
                if (regs == null) continue;
                for (Regularization r : regs) sum += r.score(e.getValue(), getIterationCount(), getEpochCount());
            }
            return sum;
        }
    }
}
