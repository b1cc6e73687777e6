package org.kerasport.dl4j.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras {@code GroupNormalization} over the last axis, as Keras 3 computes it: the input (n, d1.., c) is viewed as
 * (n, d1·.., groups, c/groups); mean and biased variance over every axis but the batch and the group;
 * {@code y = (x − mean)·rsqrt(var + eps)·gamma + beta} per channel (Keras folds it as x·inv + (beta − mean·inv), the
 * same up to rounding). Any rank with known non-batch dimensions. {@code gamma} (a weight parameter,
 * gamma_regularizer) and {@code beta} (a bias parameter, beta_regularizer) have shape (1, c); autodiff gradients.
 */
public class KerasGroupNormalization extends KerasSameDiffLayer {
    private long[] shape; // the input's non-batch dimensions, channels last
    private int groups;
    private double epsilon;
    private boolean center;
    private boolean scale;

    public KerasGroupNormalization() {
    }

    public KerasGroupNormalization(String name, long[] shape, int groups, double epsilon, boolean center, boolean scale,
                                   java.util.List<Regularization> gammaReg, java.util.List<Regularization> betaReg) {
        this.layerName = name;
        this.shape = shape;
        this.groups = groups;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
        this.regularization = gammaReg;
        this.regularizationBias = betaReg;
    }

    private long channels() {
        return shape[shape.length - 1];
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (scale) params.addWeightParam("gamma", 1, channels());
        if (center) params.addBiasParam("beta", 1, channels());
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        if (params.containsKey("gamma")) params.get("gamma").assign(1.0);
        if (params.containsKey("beta")) params.get("beta").assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        long spatial = 1;
        for (int i = 0; i < shape.length - 1; i++) spatial *= shape[i];
        SDVariable g = sd.reshape(x, -1, spatial, groups, channels() / groups);
        SDVariable mean = g.mean(true, 1, 3);
        SDVariable centered = g.sub(mean);
        SDVariable var = centered.mul(centered).mean(true, 1, 3);
        SDVariable normed = centered.mul(sd.math().rsqrt(var.add(epsilon)));
        long[] full = new long[shape.length + 1];
        full[0] = -1;
        System.arraycopy(shape, 0, full, 1, shape.length);
        SDVariable out = sd.reshape(normed, full);
        if (scale) out = out.mul(broadcastable(sd, p.get("gamma")));
        if (center) out = out.add(broadcastable(sd, p.get("beta")));
        return out;
    }

    /** (1, c) as (1, ..., 1, c) of the input's rank. */
    private SDVariable broadcastable(SameDiff sd, SDVariable v) {
        if (shape.length == 1) return v;
        long[] s = new long[shape.length + 1];
        java.util.Arrays.fill(s, 1);
        s[shape.length] = channels();
        return sd.reshape(v, s);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    public long[] getShape() { return shape; }
    public void setShape(long[] shape) { this.shape = shape; }
    public int getGroups() { return groups; }
    public void setGroups(int groups) { this.groups = groups; }
    public double getEpsilon() { return epsilon; }
    public void setEpsilon(double epsilon) { this.epsilon = epsilon; }
    public boolean isCenter() { return center; }
    public void setCenter(boolean center) { this.center = center; }
    public boolean isScale() { return scale; }
    public void setScale(boolean scale) { this.scale = scale; }
}
