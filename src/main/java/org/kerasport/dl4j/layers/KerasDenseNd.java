package org.kerasport.dl4j.layers;

import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
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
 * A Keras Dense applied to the last axis of a [batch, time, features] activation (TimeDistributed(Dense), or Dense on
 * a 3-D input), or of any higher rank (Dense on an image [batch, h, w, c] is one Dense on every pixel): act(x·W + b),
 * W (features, units), b (units), Keras layout; SameDiff layer (DL4J's TimeDistributed wrapper fails in
 * ComputationGraph inference in 1.0.0-M2.1: "workspace ... not open"). Every Keras activation of
 * {@link SdActivations}; softmax and log_softmax over the last axis.
 */
public class KerasDenseNd extends KerasSameDiffLayer {
    @JsonProperty
    private long nIn;
    @JsonProperty
    private long units;
    @JsonProperty
    private long timesteps;
    @JsonProperty
    private boolean useBias;
    @JsonProperty
    private String activation;
    @JsonProperty
    private Map<String, List<Regularization>> paramRegularization = new HashMap<>();
    /** Sizes of the axes between the batch and the features for inputs of rank 4 and more (null: [timesteps]). */
    @JsonProperty
    private long[] inner;

    public KerasDenseNd() {
    }

    public KerasDenseNd(String name, long nIn, long units, long timesteps, boolean useBias, String activation,
                        Map<String, List<Regularization>> paramRegularization) {
        this.layerName = name;
        this.nIn = nIn;
        this.units = units;
        this.timesteps = timesteps;
        this.useBias = useBias;
        this.activation = activation;
        this.paramRegularization = new HashMap<>(paramRegularization);
        this.regularization = new java.util.ArrayList<>();
        this.regularizationBias = new java.util.ArrayList<>();
    }

    /** Dense on an input of any rank: {@code inner} the sizes between the batch axis and the features. */
    public KerasDenseNd(String name, long nIn, long units, long[] inner, boolean useBias, String activation,
                        Map<String, List<Regularization>> paramRegularization) {
        this(name, nIn, units, inner[0], useBias, activation, paramRegularization);
        if (inner.length > 1) this.inner = inner.clone();
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        List<Regularization> l = paramRegularization.get(paramName);
        return l == null ? List.of() : l;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inner != null) {
            Long[] s = new Long[inner.length + 2];
            for (int i = 0; i < inner.length; i++) s[i + 1] = inner[i];
            s[s.length - 1] = units;
            return org.kerasport.dl4j.InputTypes.channelsLast(s);
        }
        return InputType.recurrent(units, timesteps, org.deeplearning4j.nn.conf.RNNFormat.NWC);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("W", nIn, units);
        if (useBias) params.addBiasParam("b", units);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (INDArray p : params.values()) p.assign(0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        if (inner != null) {
            long[] shape = new long[inner.length + 2];
            shape[0] = -1;
            System.arraycopy(inner, 0, shape, 1, inner.length);
            shape[shape.length - 1] = units;
            SDVariable z = x.reshape(-1, nIn).mmul(p.get("W"));
            if (useBias) z = z.add(p.get("b"));
            return SdActivations.apply(sd, activation, z).reshape(shape);
        }
        long t = timesteps;
        long[] shape = x.getShape();
        if (shape != null && shape.length == 3 && shape[1] > 0) t = shape[1];
        SDVariable z = x.reshape(-1, nIn).mmul(p.get("W"));
        if (useBias) z = z.add(p.get("b"));
        return SdActivations.apply(sd, activation, z).reshape(-1, t, units);
    }
}
