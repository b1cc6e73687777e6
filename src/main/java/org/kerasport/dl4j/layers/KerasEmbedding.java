package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;

/**
 * DL4J's EmbeddingSequenceLayer with its vocabulary size kept: DL4J's own {@code setNIn} replaces nIn with the
 * sequence length when the input is declared feed-forward [batch, length] (as Kerasport declares integer token inputs).
 */
public class KerasEmbedding extends EmbeddingSequenceLayer {
    public KerasEmbedding() {
    }

    /** A copy of a built EmbeddingSequenceLayer. */
    public KerasEmbedding(EmbeddingSequenceLayer b) {
        this.layerName = b.getLayerName();
        this.iDropout = b.getIDropout();
        this.constraints = b.getConstraints();
        this.activationFn = b.getActivationFn();
        this.weightInitFn = b.getWeightInitFn();
        this.biasInit = b.getBiasInit();
        this.gainInit = b.getGainInit();
        this.regularization = b.getRegularization();
        this.regularizationBias = b.getRegularizationBias();
        this.iUpdater = b.getIUpdater();
        this.biasUpdater = b.getBiasUpdater();
        this.weightNoise = b.getWeightNoise();
        this.gradientNormalization = b.getGradientNormalization();
        this.gradientNormalizationThreshold = b.getGradientNormalizationThreshold();
        this.nIn = b.getNIn();
        this.nOut = b.getNOut();
        this.timeDistributedFormat = b.getTimeDistributedFormat();
        setInputLength(b.getInputLength());
        setHasBias(b.isHasBias());
        setInferInputLength(false);
        setOutputFormat(b.getOutputFormat());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType t = super.getOutputType(layerIndex, inputType);
        return isInferInputLength() ? InputType.recurrent(getNOut(), -1, getOutputFormat()) : t; // free length
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // nIn is the vocabulary size, fixed by the Keras layer
    }
}
