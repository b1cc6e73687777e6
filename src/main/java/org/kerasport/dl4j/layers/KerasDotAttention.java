package org.kerasport.dl4j.layers;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras {@code Attention} (Luong, score_mode dot or concat) and {@code AdditiveAttention} (Bahdanau) on
 * query (B, Tq, d), value (B, Tv, dv) and key (B, Tv, d) (key = value when not given), as
 * keras.src.layers.attention.attention computes them:
 * <ul>
 *   <li>dot: {@code scores = q·kᵀ [· scale]};</li>
 *   <li>concat: {@code scores = concat_score_weight · Σ_d tanh([scale ·] (q_i + k_j))};</li>
 *   <li>additive: {@code scores = Σ_d [scale_d ·] tanh(q_i + k_j)};</li>
 * </ul>
 * with {@code use_causal_mask} the scores where column j > row i get −1e9 added (Keras: {@code scores − 1e9} there;
 * either way their softmax weight is exactly 0 in float32), then {@code softmax} over Tv and {@code ·v}.
 * Parameters: {@code scale} (Attention: one value; AdditiveAttention: (d)), {@code csw}: Keras concat_score_weight (one value).
 * Attention dropout ({@code rate}) multiplies the softmax weights by {@link KerasDropoutMaskImpl}'s multipliers
 * (the graph's mask placeholder): in training Keras' distribution (not its draws), at inference the identity.
 */
public class KerasDotAttention extends KerasPackedInputsLayer {
    /** "dot", "concat" or "additive". */
    @JsonProperty
    private String mode;
    @JsonProperty
    private boolean useScale;
    @JsonProperty
    private boolean causal;
    /** Index into the distinct inputs of the query, value and key. */
    @JsonProperty
    private int[] roles;
    @JsonProperty
    private double dropout;

    public KerasDotAttention() {
    }

    /** Sets the attention dropout rate (0: none). */
    public KerasDotAttention withDropout(double rate) {
        this.dropout = rate;
        return this;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
                                                       java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        if (dropout <= 0) return super.instantiate(conf, listeners, layerIndex, layerParamsView, initializeParams, networkDataType);
        long[] perSample = {shapes[roles[0]][0], shapes[roles[1]][0]};
        return Wiring.wire(new KerasDropoutMaskImpl(conf, networkDataType, dropout, perSample), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    public KerasDotAttention(String name, String mode, boolean useScale, boolean causal, long[][] shapes, int[] roles,
                             List<Regularization> weightReg) {
        this.layerName = name;
        this.mode = mode;
        this.useScale = useScale;
        this.causal = causal;
        this.shapes = shapes;
        this.roles = roles;
        long[] q = shapes[roles[0]], v = shapes[roles[1]];
        this.outShape = new long[]{q[0], v[1]};
        this.regularization = weightReg;
        this.regularizationBias = new java.util.ArrayList<>();
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (useScale) params.addWeightParam("scale", mode.equals("additive") ? shapes[roles[0]][1] : 1);
        if (mode.equals("concat")) params.addWeightParam("csw", 1);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (INDArray a : params.values()) a.assign(1.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable in, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable[] t = unpack(sd, in);
        SDVariable q = t[roles[0]], v = t[roles[1]], k = t[roles[2]];
        long tq = shapes[roles[0]][0], tv = shapes[roles[1]][0], d = shapes[roles[0]][1];
        SDVariable scores;
        if (mode.equals("dot")) {
            scores = sd.mmul(q, k, false, true, false);                      // (B, Tq, Tv)
            if (useScale) scores = scores.mul(sd.reshape(p.get("scale"), 1, 1, 1));
        } else {
            SDVariable sum = sd.reshape(q, -1, tq, 1, d).add(sd.reshape(k, -1, 1, tv, d)); // (B, Tq, Tv, d)
            if (mode.equals("concat")) {
                if (useScale) sum = sum.mul(sd.reshape(p.get("scale"), 1, 1, 1, 1));
                scores = sd.math().tanh(sum).sum(false, 3).mul(sd.reshape(p.get("csw"), 1, 1, 1));
            } else {
                SDVariable th = sd.math().tanh(sum);
                if (useScale) th = th.mul(sd.reshape(p.get("scale"), 1, 1, 1, d));
                scores = th.sum(false, 3);
            }
        }
        if (causal) {
            INDArray m = Nd4j.zeros(DataType.FLOAT, 1, tq, tv);
            for (long i = 0; i < tq; i++) for (long j = i + 1; j < tv; j++) m.putScalar(new long[]{0, i, j}, -1e9);
            scores = scores.add(sd.constant(m));
        }
        SDVariable w = sd.nn().softmax(scores, 2);
        if (dropout > 0) w = w.mul(sd.reshape(mask, -1, tq, tv));
        return sd.mmul(w, v);                                                // (B, Tq, dv)
    }

    public String getMode() { return mode; }
    public boolean isUseScale() { return useScale; }
    public boolean isCausal() { return causal; }
}
