package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link KerasSameDiffLayerImpl} for a layer with dropout inside its SameDiff graph (Keras' attention dropout on the
 * attention weights): the graph multiplies by its mask placeholder, which this implementation fills with the
 * dropout multipliers: in training each of {@code size} values per sample is 0 with probability {@code rate} and
 * 1/(1 − rate) otherwise (inverted dropout, as Keras' backend.random.dropout), drawn from ND4J's random generator
 * once per forward pass and reused by that pass's backward pass; at inference all ones. (DL4J's own mask array
 * is not used by these layers; it is put back after each pass.)
 */
public class KerasDropoutMaskImpl extends KerasSameDiffLayerImpl {
    private final double rate;
    private final long[] shape;
    private INDArray keep;

    /** @param shape the multipliers' shape per sample (the batch axis is prepended) */
    public KerasDropoutMaskImpl(NeuralNetConfiguration conf, DataType dataType, double rate, long[] shape) {
        super(conf, dataType);
        this.rate = rate;
        this.shape = shape;
    }

    private long[] full(long batch) {
        long[] s = new long[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray saved = maskArray;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            long[] s = full(input.size(0));
            if (training && rate > 0) {
                INDArray u = Nd4j.rand(DataType.FLOAT, s);
                keep = u.gte(rate).castTo(DataType.FLOAT).muli((float) (1.0 / (1.0 - rate)));
            } else {
                keep = Nd4j.ones(DataType.FLOAT, s);
            }
        }
        maskArray = keep;
        try {
            return super.activate(training, workspaceMgr);
        } finally {
            maskArray = saved;
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray saved = maskArray;
        maskArray = keep;
        try {
            return super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            maskArray = saved;
        }
    }
}
