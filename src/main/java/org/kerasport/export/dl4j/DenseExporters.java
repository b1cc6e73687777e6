package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.preprocessor.Cnn3DToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * DenseLayer and OutputLayer (Dense; after images or volumes a Reshape flattens them as DL4J's preprocessor does, in
 * memory order), a DenseLayer on sequences (through DL4J's RnnToFeedForward preprocessor or under TimeDistributed:
 * Keras' Dense on [batch, time, features]), RnnOutputLayer (Dense on the sequence), LossLayer and RnnLossLayer (the
 * activation as a layer, the loss in the compile config).
 */
final class DenseExporters {
    private DenseExporters() {
    }

    static void register(LayerExporters r) {
        r.withSubclasses(DenseLayer.class, (c, e) -> dense(c, e, false));
        r.withSubclasses(OutputLayer.class, (c, e) -> dense(c, e, false));
        r.withSubclasses(TimeDistributed.class, (c, e) -> e.in().sequence() && c.getUnderlying() instanceof DenseLayer d
                ? dense(d, e, true) : e.noCounterpart(c));
        r.withSubclasses(RnnOutputLayer.class, DenseExporters::rnnOutput);
        r.exact(LossLayer.class, (c, e) -> e.in().flat() ? lossLayer(c.getActivationFn(), c.getLossFn(), e, "LossLayer", null) : e.noCounterpart(c));
        r.withSubclasses(RnnLossLayer.class, (c, e) -> e.in().sequence()
                ? lossLayer(c.getActivationFn(), c.getLossFn(), e, "RnnLossLayer", c.getRnnDataFormat()) : e.noCounterpart(c));
    }

    /** Keras Dense's kernel and bias: DL4J's W [nIn, nOut] as it is, b [1, nOut] as a vector. */
    static final Weights.Source DENSE_WEIGHTS = w -> switch (Weights.role(w)) {
        case "kernel" -> Weights.same("W");
        case "bias" -> Weights.vector("b");
        default -> null;
    };

    private static ObjectNode dense(FeedForwardLayer c, Emit e, boolean timeDistributed) {
        String cls = c.getClass().getSimpleName();
        Flow cur = e.in();
        // DL4J's DenseLayer on a sequence applies to every time step, as Keras' Dense on [batch, time, features] does;
        // an OutputLayer there scores every step as an example: none
        boolean seqDense = cur.sequence() && c instanceof DenseLayer && (timeDistributed || e.pre() instanceof RnnToFeedForwardPreProcessor);
        if (cur.sequence() && !seqDense) {
            e.problem(cls, "input", "an output layer on sequences (each time step scored as an example) has no Keras counterpart;"
                    + " use an RnnOutputLayer, or LastTimeStep before it");
            return null;
        }
        if (cur.volume()) { // DL4J's Cnn3DToFeedForwardPreProcessor flattens in memory order too
            if (!(e.pre() instanceof Cnn3DToFeedForwardPreProcessor cf)) {
                e.problem(cls, "preprocessor", "a dense layer after volumes without DL4J's Cnn3DToFeedForwardPreProcessor");
                return null;
            }
            long n = (long) cf.getInputDepth() * cf.getInputHeight() * cf.getInputWidth() * cf.getNumChannels();
            e.before(KerasJson.reshape(e.name() + "_flatten", n), Flow.features(n));
        }
        if (e.in().image()) { // DL4J's CnnToFeedForwardPreProcessor flattens in memory order: a Reshape does the same
            if (!(e.pre() instanceof CnnToFeedForwardPreProcessor cf)) {
                e.problem(cls, "preprocessor", "a dense layer after images without DL4J's CnnToFeedForwardPreProcessor");
                return null;
            }
            long n = cf.getInputHeight() * cf.getInputWidth() * cf.getNumChannels();
            e.before(KerasJson.reshape(e.name() + "_flatten", n), Flow.features(n));
        }
        long width = e.in().widthOrZero();
        BaseLayer b = (BaseLayer) c;
        if (seqDense) {
            e.permuteToNwc();
            width = cur.channels();
        }
        if (c instanceof DenseLayer d && d.hasLayerNorm())
            e.problem("DenseLayer", "hasLayerNorm", "a DenseLayer with layer normalization has no Keras Dense counterpart");
        if (b.getIDropout() != null) e.problem(cls, "dropOut", "dropout inside a layer: use a DropoutLayer");
        ObjectNode lc = e.config("Dense");
        lc.put("units", c.getNOut());
        e.activation(lc, b.getActivationFn(), cls);
        boolean bias = !(c instanceof DenseLayer d2) || d2.hasBias();
        if (c instanceof OutputLayer o) bias = o.hasBias();
        lc.put("use_bias", bias);
        lc.set("kernel_regularizer", e.regularizer(b.getRegularization(), "regularization"));
        lc.set("bias_regularizer", e.regularizer(b.getRegularizationBias(), "regularizationBias"));
        if (c instanceof OutputLayer o) e.loss(o.getLossFn(), "OutputLayer", "an OutputLayer must be a network output");
        if (c.getNIn() != width) e.problem(cls, "nIn", "nIn " + c.getNIn() + " after a layer of width " + width);
        e.out(seqDense ? Flow.sequence(c.getNOut(), false) : Flow.features(c.getNOut()));
        e.weights(DENSE_WEIGHTS);
        return lc;
    }

    private static ObjectNode rnnOutput(RnnOutputLayer ro, Emit e) {
        if (!e.in().sequence()) return e.noCounterpart(ro);
        e.permuteToNwc();
        ObjectNode lc = e.config("Dense"); // Keras' Dense works on the last axis of [batch, time, features]
        lc.put("units", ro.getNOut());
        e.activation(lc, ro.getActivationFn(), "RnnOutputLayer").put("use_bias", ro.hasBias());
        lc.set("kernel_regularizer", e.regularizer(ro.getRegularization(), "regularization"));
        lc.set("bias_regularizer", e.regularizer(ro.getRegularizationBias(), "regularizationBias"));
        e.loss(ro.getLossFn(), "RnnOutputLayer", "an RnnOutputLayer must be a network output");
        if (ro.getRnnDataFormat() != RNNFormat.NWC) e.note(transposedNote(e.name(), ro.getNOut()));
        e.out(Flow.sequence(ro.getNOut(), false));
        e.weights(DENSE_WEIGHTS);
        return lc;
    }

    /** No parameters: the activation as a layer, the loss in the compile config. */
    private static ObjectNode lossLayer(IActivation a, ILossFunction f, Emit e, String cls, RNNFormat format) {
        Flow cur = e.in();
        if (cur.sequence()) e.permuteToNwc();
        ObjectNode lc = e.config("Activation");
        e.activation(lc, a, cls);
        e.loss(f, cls, "a loss layer must be a network output");
        if (format != null && format != RNNFormat.NWC) e.note(transposedNote(e.name(), cur.channels()));
        if (cur.sequence()) e.out(Flow.sequence(cur.channels(), false));
        return lc;
    }

    private static String transposedNote(String name, long n) {
        return "output '" + name + "': Keras returns [batch, time, " + n + "] where DL4J (NCW) returns [batch, " + n
                + ", time]; the values are the same, transposed";
    }
}
