package org.kerasport.dl4j.layers;

import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A Keras recurrent layer (LSTM, GRU with reset_after true or false, SimpleRNN), optionally wrapped in Bidirectional,
 * as a DL4J SameDiff layer computing exactly Keras' cell equations (gradients by autodiff). Activations are in Keras
 * layout [batch, time, features] (NWC). Parameters keep their Keras shapes and gate order: {@code W} = kernel
 * (features, k·units), {@code RW} = recurrent_kernel (units, k·units), {@code b} = bias ((k·units) or (2, 3·units)
 * for GRU reset_after); a bidirectional layer has {@code fW, fRW, fb} and {@code bW, bRW, bb}. Each parameter has
 * its own regularization list (Keras kernel, recurrent and bias regularizers differ).
 *
 * <p>Masking (a Keras Masking layer with mask_value in front): a timestep whose features all equal the mask value
 * leaves the state unchanged, and its output is the previous output (or zero where Keras' zero_output_for_mask is
 * set: in a Bidirectional returning sequences).
 */
public class KerasRecurrent extends KerasSameDiffLayer {
    /** "lstm", "gru" or "simple". */
    @JsonProperty
    private String cell;
    @JsonProperty
    private long nIn;
    @JsonProperty
    private long units;
    @JsonProperty
    private long timesteps;
    @JsonProperty
    private String activation;
    @JsonProperty
    private String recurrentActivation;
    @JsonProperty
    private boolean useBias;
    @JsonProperty
    private boolean resetAfter;
    @JsonProperty
    private boolean returnSequences;
    @JsonProperty
    private boolean goBackwards;
    /** null: unidirectional; else the Bidirectional merge mode (concat, sum, mul, ave). */
    @JsonProperty
    private String mergeMode;
    /** null: no masking. */
    @JsonProperty
    private Double maskValue;
    /**
     * The input carries Keras' mask as its last feature ([batch, time, nIn + 1], 1 = a step that counts): see
     * {@link org.kerasport.dl4j.mappers.Masks}. Masked steps behave as with {@link #maskValue}.
     */
    @JsonProperty
    private boolean maskChannel;
    @JsonProperty
    private Map<String, List<Regularization>> paramRegularization = new HashMap<>();

    public boolean isMaskChannel() {
        return maskChannel;
    }

    public void setMaskChannel(boolean maskChannel) {
        this.maskChannel = maskChannel;
    }

    public KerasRecurrent() {
    }

    public KerasRecurrent(String name, String cell, long nIn, long units, long timesteps, String activation,
                          String recurrentActivation, boolean useBias, boolean resetAfter, boolean returnSequences,
                          boolean goBackwards, String mergeMode, Double maskValue,
                          Map<String, List<Regularization>> paramRegularization) {
        this.layerName = name;
        this.cell = cell;
        this.nIn = nIn;
        this.units = units;
        this.timesteps = timesteps;
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
        this.useBias = useBias;
        this.resetAfter = resetAfter;
        this.returnSequences = returnSequences;
        this.goBackwards = goBackwards;
        this.mergeMode = mergeMode;
        this.maskValue = maskValue;
        this.paramRegularization = new HashMap<>(paramRegularization);
        this.regularization = new ArrayList<>();
        this.regularizationBias = new ArrayList<>();
    }

    public int gates() {
        return switch (cell) {
            case "lstm" -> 4;
            case "gru" -> 3;
            default -> 1;
        };
    }

    /** Parameter name prefixes: "" or "f", "b". */
    public List<String> directions() {
        return mergeMode == null ? List.of("") : List.of("f", "b");
    }

    public long outputSize() {
        return mergeMode != null && mergeMode.equals("concat") ? 2 * units : units;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        List<Regularization> l = paramRegularization.get(paramName);
        return l == null ? List.of() : l;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return returnSequences ? InputType.recurrent(outputSize(), timesteps, RNNFormat.NWC) : InputType.feedForward(outputSize());
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        long k = gates() * units;
        for (String d : directions()) {
            params.addWeightParam(d + "W", nIn, k);
            params.addWeightParam(d + "RW", units, k);
            if (useBias) {
                if (cell.equals("gru") && resetAfter) params.addBiasParam(d + "b", 2, k);
                else params.addBiasParam(d + "b", k);
            }
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (INDArray p : params.values()) p.assign(0); // the importer sets every Keras value afterwards
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable ignoredMask) {
        long t = timesteps;
        long[] shape = x.getShape();
        if (shape != null && shape.length == 3 && shape[1] > 0) t = shape[1];
        SDVariable mask = null;
        if (maskValue != null) // 1 where any feature differs from the mask value, else 0 (exact, differentiable ops)
            mask = sd.math.sign(sd.math.abs(x.sub(maskValue.doubleValue())).max(2));
        if (maskChannel) { // [batch, time, nIn + 1]: the features, and the mask as the last one
            SDVariable[] parts = sd.unstack(x, 2, (int) nIn + 1);
            mask = parts[(int) nIn];
            x = sd.stack(2, java.util.Arrays.copyOf(parts, (int) nIn));
        }
        if (mergeMode == null) return direction(sd, x, mask, p, "", t, goBackwards, false, false);
        boolean zeroMasked = returnSequences;
        SDVariable f = direction(sd, x, mask, p, "f", t, goBackwards, zeroMasked, false);
        SDVariable b = direction(sd, x, mask, p, "b", t, !goBackwards, zeroMasked, true);
        return switch (mergeMode) {
            case "concat" -> sd.concat(returnSequences ? 2 : 1, f, b);
            case "sum" -> f.add(b);
            case "mul" -> f.mul(b);
            case "ave" -> f.add(b).div(2.0);
            default -> throw new IllegalStateException("merge mode " + mergeMode);
        };
    }

    /**
     * One direction; outputs are flipped back to input time order when {@code flipOutputs} (Bidirectional's backward
     * layer). Built from unstack/reshape/matmul only (no strided slices: their backprop is unreliable in this ND4J).
     */
    private SDVariable direction(SameDiff sd, SDVariable x, SDVariable mask, Map<String, SDVariable> p, String d,
                                 long t, boolean backwards, boolean zeroMasked, boolean flipOutputs) {
        int g = gates();
        long u = units;
        SDVariable[] w = gateSplit(p.get(d + "W"), nIn, g);
        SDVariable[] rw = gateSplit(p.get(d + "RW"), u, g);
        SDVariable[] inBias = null, recBias = null;
        if (useBias) {
            SDVariable bias = p.get(d + "b");
            if (cell.equals("gru") && resetAfter) {
                SDVariable[] rows = sd.unstack(bias, 0, 2);
                inBias = sd.unstack(rows[0].reshape(g, u), 0, g);
                recBias = sd.unstack(rows[1].reshape(g, u), 0, g);
            } else {
                inBias = sd.unstack(bias.reshape(g, u), 0, g);
            }
        }
        SDVariable[] xs = sd.unstack(x, 1, (int) t);
        SDVariable[] ms = mask == null ? null : sd.unstack(mask, 1, (int) t);
        SDVariable h = null, c = null, out = null;
        List<SDVariable> outs = new ArrayList<>();
        for (long s = 0; s < t; s++) {
            int step = (int) (backwards ? t - 1 - s : s);
            SDVariable[] xg = new SDVariable[g];
            for (int k = 0; k < g; k++) {
                xg[k] = xs[step].mmul(w[k]);
                if (inBias != null) xg[k] = xg[k].add(inBias[k]);
            }
            if (h == null) {
                h = sd.zerosLike(xg[0]);
                c = h;
                out = h;
            }
            SDVariable hNew, cNew = null;
            switch (cell) {
                case "lstm" -> {
                    SDVariable i = act(sd, recurrentActivation, xg[0].add(h.mmul(rw[0])));
                    SDVariable f = act(sd, recurrentActivation, xg[1].add(h.mmul(rw[1])));
                    SDVariable cc = act(sd, activation, xg[2].add(h.mmul(rw[2])));
                    SDVariable o = act(sd, recurrentActivation, xg[3].add(h.mmul(rw[3])));
                    cNew = f.mul(c).add(i.mul(cc));
                    hNew = o.mul(act(sd, activation, cNew));
                }
                case "gru" -> {
                    SDVariable zg, r, hh;
                    if (resetAfter) {
                        SDVariable[] inner = new SDVariable[3];
                        for (int k = 0; k < 3; k++) {
                            inner[k] = h.mmul(rw[k]);
                            if (recBias != null) inner[k] = inner[k].add(recBias[k]);
                        }
                        zg = act(sd, recurrentActivation, xg[0].add(inner[0]));
                        r = act(sd, recurrentActivation, xg[1].add(inner[1]));
                        hh = act(sd, activation, xg[2].add(r.mul(inner[2])));
                    } else {
                        zg = act(sd, recurrentActivation, xg[0].add(h.mmul(rw[0])));
                        r = act(sd, recurrentActivation, xg[1].add(h.mmul(rw[1])));
                        hh = act(sd, activation, xg[2].add(r.mul(h).mmul(rw[2])));
                    }
                    hNew = zg.mul(h).add(zg.rsub(1.0).mul(hh));
                }
                default -> hNew = act(sd, activation, xg[0].add(h.mmul(rw[0])));
            }
            if (ms == null) {
                h = hNew;
                c = cNew;
                out = hNew;
            } else {
                // no variable may be left unused (SameDiff takes every unused variable for an output of the graph):
                // the state is not updated after the last step, and without zeroMasked the output IS the state
                // (both start at zero and follow the same update)
                SDVariable m = ms[step].reshape(-1, 1);
                boolean last = s == t - 1;
                SDVariable keep = last && zeroMasked ? null : m.rsub(1.0);
                if (zeroMasked) {
                    out = hNew.mul(m);
                    if (!last) h = hNew.mul(m).add(h.mul(keep));
                } else {
                    h = hNew.mul(m).add(h.mul(keep));
                    out = h;
                }
                if (cNew != null && !last) c = cNew.mul(m).add(c.mul(keep));
            }
            if (returnSequences) outs.add(out);
        }
        if (!returnSequences) return out;
        if (flipOutputs) java.util.Collections.reverse(outs);
        return sd.stack(1, outs.toArray(new SDVariable[0]));
    }

    /** (rows, g·units) → g matrices (rows, units), Keras gate blocks in order. */
    private SDVariable[] gateSplit(SDVariable m, long rows, int g) {
        if (g == 1) return new SDVariable[]{m};
        return m.getSameDiff().unstack(m.reshape(rows, g, units), 1, g);
    }

    private static SDVariable act(SameDiff sd, String name, SDVariable v) {
        return SdActivations.apply(sd, name, v);
    }

    public String getCell() {
        return cell;
    }

    public long getUnits() {
        return units;
    }

    public boolean isReturnSequences() {
        return returnSequences;
    }

    public String getMergeMode() {
        return mergeMode;
    }

    public Map<String, List<Regularization>> getParamRegularization() {
        return paramRegularization;
    }
}
