package org.kerasport.dl4j.layers;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras {@code MultiHeadAttention} (no mask, no dropout, attention over axis 1 of (batch, seq, features) inputs), as
 * Keras computes it: {@code q = x_q·Wq + bq} (B, T, H, K), likewise k and v; {@code q ← q·(1/√K)};
 * {@code scores = softmax_S(q·kᵀ)} (B, H, T, S); {@code o = scores·v} (B, T, H, V); {@code y = o·Wo + bo} (B, T, O).
 * Parameters keep the Keras shapes: {@code qW, kW, vW} (d, H, K|V), {@code qb, kb, vb} (H, K|V), {@code oW} (H, V, O),
 * {@code ob} (O). DL4J layers have one input: with one distinct input tensor (self-attention) it is that tensor, (B, T,
 * d); with several, each distinct tensor is flattened to (B, seq·d) and they are concatenated (B, Σ seq·d) in the
 * order of {@link #seqLens}; {@link #roles} says which of them is the query, value and key.
 */
public class KerasMultiHeadAttention extends KerasSameDiffLayer {
    private int numHeads;
    private long keyDim;
    private long valueDim;
    private long outDim;
    private boolean useBias;
    /** Per distinct input tensor: its sequence length and feature size. */
    private long[] seqLens;
    private long[] dims;
    /** Index into the distinct inputs of the query, value and key. */
    private int[] roles;

    public KerasMultiHeadAttention() {
    }

    public KerasMultiHeadAttention(String name, int numHeads, long keyDim, long valueDim, long outDim, boolean useBias,
                                   long[] seqLens, long[] dims, int[] roles, List<Regularization> kernelReg,
                                   List<Regularization> biasReg) {
        this.layerName = name;
        this.numHeads = numHeads;
        this.keyDim = keyDim;
        this.valueDim = valueDim;
        this.outDim = outDim;
        this.useBias = useBias;
        this.seqLens = seqLens;
        this.dims = dims;
        this.roles = roles;
        this.regularization = kernelReg;
        this.regularizationBias = biasReg;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("qW", dims[roles[0]], numHeads, keyDim);
        params.addWeightParam("kW", dims[roles[2]], numHeads, keyDim);
        params.addWeightParam("vW", dims[roles[1]], numHeads, valueDim);
        params.addWeightParam("oW", numHeads, valueDim, outDim);
        if (useBias) {
            params.addBiasParam("qb", numHeads, keyDim);
            params.addBiasParam("kb", numHeads, keyDim);
            params.addBiasParam("vb", numHeads, valueDim);
            params.addBiasParam("ob", outDim);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (INDArray a : params.values()) a.assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable[] in = new SDVariable[seqLens.length];
        if (seqLens.length == 1) {
            in[0] = x;
        } else {
            long off = 0;
            for (int i = 0; i < in.length; i++) {
                long n = seqLens[i] * dims[i];
                in[i] = sd.reshape(x.get(SDIndex.all(), SDIndex.interval(off, off + n)), -1, seqLens[i], dims[i]);
                off += n;
            }
        }
        long t = seqLens[roles[0]], s = seqLens[roles[1]];
        SDVariable q = project(sd, in[roles[0]], p.get("qW"), p.get("qb"), t, dims[roles[0]], keyDim); // (B, H, T, K)
        SDVariable k = project(sd, in[roles[2]], p.get("kW"), p.get("kb"), s, dims[roles[2]], keyDim); // (B, H, S, K)
        SDVariable v = project(sd, in[roles[1]], p.get("vW"), p.get("vb"), s, dims[roles[1]], valueDim); // (B, H, S, V)
        q = q.mul((double) (float) (1.0 / Math.sqrt((double) keyDim)));
        SDVariable scores = sd.mmul(q, k, false, true, false);           // (B, H, T, S)
        SDVariable probs = sd.nn().softmax(scores, 3);
        SDVariable o = sd.mmul(probs, v);                                 // (B, H, T, V)
        o = sd.reshape(sd.permute(o, 0, 2, 1, 3), -1, (long) numHeads * valueDim);   // (B·T, H·V)
        SDVariable y = sd.mmul(o, sd.reshape(p.get("oW"), (long) numHeads * valueDim, outDim));
        if (useBias) y = y.add(sd.reshape(p.get("ob"), 1, outDim));
        return sd.reshape(y, -1, t, outDim);
    }

    /** (B, len, d) · (d, H, n) + (H, n) → (B, H, len, n). */
    private SDVariable project(SameDiff sd, SDVariable in, SDVariable w, SDVariable b, long len, long d, long n) {
        SDVariable flat = sd.reshape(in, -1, d);
        SDVariable y = sd.mmul(flat, sd.reshape(w, d, (long) numHeads * n));
        if (b != null) y = y.add(sd.reshape(b, 1, (long) numHeads * n));
        return sd.permute(sd.reshape(y, -1, len, numHeads, n), 0, 2, 1, 3);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(outDim, seqLens[roles[0]], RNNFormat.NWC);
    }

    public int getNumHeads() { return numHeads; }
    public void setNumHeads(int numHeads) { this.numHeads = numHeads; }
    public long getKeyDim() { return keyDim; }
    public void setKeyDim(long keyDim) { this.keyDim = keyDim; }
    public long getValueDim() { return valueDim; }
    public void setValueDim(long valueDim) { this.valueDim = valueDim; }
    public long getOutDim() { return outDim; }
    public void setOutDim(long outDim) { this.outDim = outDim; }
    public boolean isUseBias() { return useBias; }
    public void setUseBias(boolean useBias) { this.useBias = useBias; }
    public long[] getSeqLens() { return seqLens; }
    public void setSeqLens(long[] seqLens) { this.seqLens = seqLens; }
    public long[] getDims() { return dims; }
    public void setDims(long[] dims) { this.dims = dims; }
    public int[] getRoles() { return roles; }
    public void setRoles(int[] roles) { this.roles = roles; }
}
