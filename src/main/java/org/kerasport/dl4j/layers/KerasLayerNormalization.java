package org.kerasport.dl4j.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras {@code LayerNormalization} over the last axis, as Keras 3 computes it (ops.layer_normalization):
 * {@code y = (x − mean)·rsqrt(var + eps)·gamma + beta} with the biased variance over the last axis;
 * with {@code rms_scaling}: {@code y = x·rsqrt(var + eps)·gamma} (Keras 3 scales by the variance there, no beta).
 * Works on any rank (2-D dense or channels-last / NWC activations). Parameters {@code gamma} (a weight parameter,
 * gamma_regularizer) and {@code beta} (a bias parameter, beta_regularizer) have shape (1, features).
 */
public class KerasLayerNormalization extends KerasSameDiffLayer {
    private long features;
    private int rank;
    private double epsilon;
    private boolean center;
    private boolean scale;
    private boolean rmsScaling;

    public KerasLayerNormalization() {
    }

    public KerasLayerNormalization(String name, long features, int rank, double epsilon, boolean center, boolean scale,
                                   boolean rmsScaling, java.util.List<Regularization> gammaReg,
                                   java.util.List<Regularization> betaReg) {
        this.layerName = name;
        this.features = features;
        this.rank = rank;
        this.epsilon = epsilon;
        this.center = center && !rmsScaling;
        this.scale = scale;
        this.rmsScaling = rmsScaling;
        this.regularization = gammaReg;
        this.regularizationBias = betaReg;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (scale) params.addWeightParam("gamma", 1, features);
        if (center) params.addBiasParam("beta", 1, features);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        if (params.containsKey("gamma")) params.get("gamma").assign(1.0);
        if (params.containsKey("beta")) params.get("beta").assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        // (x − mean)·rsqrt(var + eps)·gamma + beta: Keras' x·inv + (beta − mean·inv) up to rounding
        int last = rank - 1;
        SDVariable mean = x.mean(true, last);
        SDVariable centered = x.sub(mean);
        SDVariable var = centered.mul(centered).mean(true, last);
        SDVariable inv = sd.math().rsqrt(var.add(epsilon));
        SDVariable out = (rmsScaling ? x : centered).mul(inv);
        if (scale) out = out.mul(gammaOf(sd, p));
        if (center) out = out.add(broadcastable(sd, p.get("beta")));
        return out;
    }

    private SDVariable gammaOf(SameDiff sd, Map<String, SDVariable> p) {
        return broadcastable(sd, p.get("gamma"));
    }

    /** (1, features) as (1, ..., 1, features) of the input's rank. */
    private SDVariable broadcastable(SameDiff sd, SDVariable v) {
        if (rank == 2) return v;
        long[] shape = new long[rank];
        java.util.Arrays.fill(shape, 1);
        shape[rank - 1] = features;
        return sd.reshape(v, shape);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    public long getFeatures() { return features; }
    public void setFeatures(long features) { this.features = features; }
    public int getRank() { return rank; }
    public void setRank(int rank) { this.rank = rank; }
    public double getEpsilon() { return epsilon; }
    public void setEpsilon(double epsilon) { this.epsilon = epsilon; }
    public boolean isCenter() { return center; }
    public void setCenter(boolean center) { this.center = center; }
    public boolean isScale() { return scale; }
    public void setScale(boolean scale) { this.scale = scale; }
    public boolean isRmsScaling() { return rmsScaling; }
    public void setRmsScaling(boolean rmsScaling) { this.rmsScaling = rmsScaling; }
}
