package org.kerasport.dl4j.layers;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras {@code GroupedQueryAttention} (use_causal_mask or none; no other mask, no gate, no sliding window, no dropout) on (batch, seq, features)
 * inputs, as keras.src.layers.attention.grouped_query_attention computes it: {@code q = x_q·Wq + bq} (B, T, Hq, D),
 * {@code k, v = x·W + b} (B, S, Hkv, D); k and v repeated along the heads (query head h uses key/value head
 * h / (Hq/Hkv), ops.repeat); {@code softmax_S((q·kᵀ)/√D)·v} per head; {@code y = o·Wo + bo} (B, T, F). Parameters
 * keep the Keras shapes: {@code qW} (F_q, Hq, D), {@code kW, vW} (F_k|F_v, Hkv, D), {@code qb} (Hq, D), {@code kb, vb}
 * (Hkv, D), {@code oW} (Hq, D, F), {@code ob} (F), F the query's feature size.
 */
public class KerasGroupedQueryAttention extends KerasPackedInputsLayer {
    @JsonProperty
    private int queryHeads;
    @JsonProperty
    private int kvHeads;
    @JsonProperty
    private long headDim;
    @JsonProperty
    private boolean useBias;
    @JsonProperty
    private int[] roles;
    @JsonProperty
    private boolean causal;

    public KerasGroupedQueryAttention() {
    }

    public KerasGroupedQueryAttention(String name, int queryHeads, int kvHeads, long headDim, boolean useBias,
                                      boolean causal, long[][] shapes, int[] roles, List<Regularization> kernelReg,
                                      List<Regularization> biasReg) {
        this.layerName = name;
        this.queryHeads = queryHeads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.useBias = useBias;
        this.causal = causal;
        this.shapes = shapes;
        this.roles = roles;
        this.outShape = shapes[roles[0]].clone();
        this.regularization = kernelReg;
        this.regularizationBias = biasReg;
    }

    private long features(int role) {
        return shapes[roles[role]][1];
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("qW", features(0), queryHeads, headDim);
        params.addWeightParam("kW", features(2), kvHeads, headDim);
        params.addWeightParam("vW", features(1), kvHeads, headDim);
        params.addWeightParam("oW", queryHeads, headDim, features(0));
        if (useBias) {
            params.addBiasParam("qb", queryHeads, headDim);
            params.addBiasParam("kb", kvHeads, headDim);
            params.addBiasParam("vb", kvHeads, headDim);
            params.addBiasParam("ob", features(0));
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (INDArray a : params.values()) a.assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable[] in = unpack(sd, x);
        long t = shapes[roles[0]][0], s = shapes[roles[1]][0], f = features(0);
        SDVariable q = project(sd, in[roles[0]], p.get("qW"), p.get("qb"), t, features(0), queryHeads);  // (B, Hq, T, D)
        SDVariable k = repeat(sd, project(sd, in[roles[2]], p.get("kW"), p.get("kb"), s, features(2), kvHeads), s);
        SDVariable v = repeat(sd, project(sd, in[roles[1]], p.get("vW"), p.get("vb"), s, features(1), kvHeads), s);
        q = q.mul((double) (float) (1.0 / Math.sqrt((double) headDim)));
        SDVariable scores = sd.mmul(q, k, false, true, false);                     // (B, Hq, T, S)
        if (causal) { // Keras' Softmax with a mask adds -1e9 where key j > query i: their weight is exactly 0
            INDArray m = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, t, s);
            for (long i = 0; i < t; i++) for (long j = i + 1; j < s; j++) m.putScalar(new long[]{0, 0, i, j}, -1e9);
            scores = scores.add(sd.constant(m));
        }
        SDVariable probs = sd.nn().softmax(scores, 3);
        SDVariable o = sd.mmul(probs, v);                                           // (B, Hq, T, D)
        o = sd.reshape(sd.permute(o, 0, 2, 1, 3), -1, (long) queryHeads * headDim);
        SDVariable y = sd.mmul(o, sd.reshape(p.get("oW"), (long) queryHeads * headDim, f));
        if (useBias) y = y.add(sd.reshape(p.get("ob"), 1, f));
        return sd.reshape(y, -1, t, f);
    }

    /** (B, len, d) · (d, H, D) + (H, D) → (B, H, len, D). */
    private SDVariable project(SameDiff sd, SDVariable in, SDVariable w, SDVariable b, long len, long d, int heads) {
        SDVariable y = sd.mmul(sd.reshape(in, -1, d), sd.reshape(w, d, (long) heads * headDim));
        if (b != null) y = y.add(sd.reshape(b, 1, (long) heads * headDim));
        return sd.permute(sd.reshape(y, -1, len, heads, headDim), 0, 2, 1, 3);
    }

    /** (B, Hkv, S, D) → (B, Hq, S, D), each key/value head repeated Hq/Hkv times in a row (ops.repeat). */
    private SDVariable repeat(SameDiff sd, SDVariable kv, long s) {
        int r = queryHeads / kvHeads;
        if (r == 1) return kv;
        SDVariable e = sd.reshape(kv, -1, kvHeads, 1, s * headDim);
        SDVariable tiled = sd.tile(e, 1, 1, r, 1);                                  // (B, Hkv, r, S·D)
        return sd.reshape(tiled, -1, queryHeads, s, headDim);
    }
}
