package org.kerasport.dl4j.layers;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DL4J's own LSTM (Java, one matrix product per step, no SameDiff) for a Keras LSTM whose equations it computes:
 * activation tanh, a sigmoid (or Keras hard-sigmoid) recurrent activation, a bias, no mask, forwards. DL4J's gate
 * blocks are (cell input, forget, output, input), Keras' (input, forget, cell input, output): the weights are
 * bound with {@code Layout.gates}. Keras' recurrent_kernel may carry its own regularizer, which DL4J's LSTM would
 * share with the kernel: {@link #getRegularizationByParam} gives RW its own list. Its runtime layer is
 * {@link KerasLSTMImpl} (ND4J's fused lstmLayer op where it applies).
 */
public class KerasLSTM extends LSTM {
    @JsonProperty("regularizationRecurrent")
    private List<Regularization> regularizationRecurrent = new ArrayList<>();

    public KerasLSTM() {
    }

    /** {@code lstm}'s configuration, field for field (through DL4J's JSON form), with RW regularized by {@code recurrent}. */
    public static KerasLSTM of(LSTM lstm, List<Regularization> recurrent) {
        KerasLSTM k = ConfCopy.as(lstm, KerasLSTM.class);
        k.regularizationRecurrent = new ArrayList<>(recurrent);
        return k;
    }

    public List<Regularization> getRegularizationRecurrent() {
        return regularizationRecurrent;
    }

    public void setRegularizationRecurrent(List<Regularization> regularizationRecurrent) {
        this.regularizationRecurrent = regularizationRecurrent;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (LSTMParamInitializer.RECURRENT_WEIGHT_KEY.equals(paramName)) return regularizationRecurrent;
        return super.getRegularizationByParam(paramName);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
                                                       java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
                                                       int layerIndex, org.nd4j.linalg.api.ndarray.INDArray paramsView,
                                                       boolean initializeParams, org.nd4j.linalg.api.buffer.DataType networkDataType) {
        return ConfCopy.init(new KerasLSTMImpl(conf, networkDataType), this, conf, listeners, layerIndex, paramsView, initializeParams);
    }

    @Override
    public KerasLSTM clone() {
        KerasLSTM c = (KerasLSTM) super.clone();
        c.regularizationRecurrent = new ArrayList<>(regularizationRecurrent);
        return c;
    }
}
