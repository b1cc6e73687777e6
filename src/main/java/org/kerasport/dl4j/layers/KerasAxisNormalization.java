package org.kerasport.dl4j.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras' normalizations by a norm over some axes of the input (any rank, axes counted with the batch as 0), as Keras 3
 * computes them:
 * <ul>
 *   <li>{@code UNIT} — UnitNormalization, {@code ops.normalize(x, axis, order=2, epsilon=1e-12)}:
 *       {@code x·min(rsqrt(Σ x²), 1e12)};</li>
 *   <li>{@code RMS} — RMSNormalization, {@code ops.rms_normalization}: {@code x·rsqrt(mean(x²) + eps)·scale}, over
 *       the last axis, with a trainable {@code scale} of shape (1, features) (a weight parameter).</li>
 * </ul>
 * Autodiff gradients (the minimum passes the gradient to rsqrt where it is the smaller, as TF's does).
 */
public class KerasAxisNormalization extends KerasSameDiffLayer {
    public enum Mode { UNIT, RMS }

    private Mode mode;
    private int rank;
    private int[] axes;
    private long features;
    private double epsilon;

    public KerasAxisNormalization() {
    }

    public KerasAxisNormalization(String name, Mode mode, int rank, int[] axes, long features, double epsilon,
                                  java.util.List<Regularization> scaleReg) {
        this.layerName = name;
        this.mode = mode;
        this.rank = rank;
        this.axes = axes;
        this.features = features;
        this.epsilon = epsilon;
        this.regularization = scaleReg;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (mode == Mode.RMS) params.addWeightParam("scale", 1, features);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        if (params.containsKey("scale")) params.get("scale").assign(1.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable sq = x.mul(x);
        if (mode == Mode.UNIT) {
            SDVariable inv = sd.math().rsqrt(sq.sum(true, axes));
            inv = sd.math().min(inv, sd.constant(1e12f));
            return x.mul(inv);
        }
        SDVariable out = x.mul(sd.math().rsqrt(sq.mean(true, axes).add(epsilon)));
        SDVariable s = p.get("scale");
        if (rank > 2) {
            long[] shape = new long[rank];
            java.util.Arrays.fill(shape, 1);
            shape[rank - 1] = features;
            s = sd.reshape(s, shape);
        }
        return out.mul(s);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    public Mode getMode() { return mode; }
    public void setMode(Mode mode) { this.mode = mode; }
    public int getRank() { return rank; }
    public void setRank(int rank) { this.rank = rank; }
    public int[] getAxes() { return axes; }
    public void setAxes(int[] axes) { this.axes = axes; }
    public long getFeatures() { return features; }
    public void setFeatures(long features) { this.features = features; }
    public double getEpsilon() { return epsilon; }
    public void setEpsilon(double epsilon) { this.epsilon = epsilon; }
}
