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
 * share with the kernel: {@link #getRegularizationByParam} gives RW its own list.
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
    public KerasLSTM clone() {
        KerasLSTM c = (KerasLSTM) super.clone();
        c.regularizationRecurrent = new ArrayList<>(regularizationRecurrent);
        return c;
    }
}
