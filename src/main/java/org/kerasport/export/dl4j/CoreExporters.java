package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.misc.RepeatVector;

/**
 * DropoutLayer (Dropout), ActivationLayer (Activation), PReLULayer (PReLU), BatchNormalization, RepeatVector, and the
 * embeddings: EmbeddingSequenceLayer (Embedding) and EmbeddingLayer (Embedding on one index per row, flattened after).
 */
final class CoreExporters {
    private CoreExporters() {
    }

    static void register(LayerExporters r) {
        r.withSubclasses(DropoutLayer.class, CoreExporters::dropout);
        r.withSubclasses(ActivationLayer.class, (a, e) -> e.activation(e.config("Activation"), a.getActivationFn(), "ActivationLayer"));
        r.withSubclasses(PReLULayer.class, CoreExporters::prelu);
        r.withSubclasses(BatchNormalization.class, CoreExporters::batchNormalization);
        r.withSubclasses(RepeatVector.class, CoreExporters::repeatVector);
        r.withSubclasses(EmbeddingSequenceLayer.class, CoreExporters::embeddingSequence);
        r.exact(EmbeddingLayer.class, CoreExporters::embedding);
    }

    private static ObjectNode dropout(DropoutLayer d, Emit e) {
        ObjectNode lc = e.config("Dropout");
        if (d.getIDropout() instanceof Dropout dd && dd.getPSchedule() == null)
            lc.put("rate", 1 - dd.getP()); // DL4J's p is the probability of KEEPING an activation
        else e.problem("DropoutLayer", "dropOut", "only plain Dropout(p) has a Keras counterpart");
        return lc;
    }

    private static ObjectNode prelu(PReLULayer pr, Emit e) {
        if (e.in().sequence()) return e.noCounterpart(pr);
        ObjectNode lc = e.config("PReLU");
        lc.set("alpha_regularizer", e.regularizer(pr.getRegularization(), "regularization"));
        ArrayNode shared = lc.putArray("shared_axes"); // 1-based over the non-batch axes in both
        if (pr.getSharedAxes() != null) for (long a : pr.getSharedAxes()) shared.add(a);
        if (shared.isEmpty()) lc.putNull("shared_axes");
        // the same shape (the input's, shared axes 1) and order
        e.weights(w -> Weights.role(w).equals("alpha") ? Weights.same("W") : null);
        return lc;
    }

    private static ObjectNode batchNormalization(BatchNormalization bn, Emit e) {
        Flow cur = e.in();
        ObjectNode lc = e.config("BatchNormalization");
        lc.put("axis", (cur.image() || cur.volume()) && cur.nchw() ? 1 : -1);
        lc.put("momentum", bn.getDecay());
        lc.put("epsilon", bn.getEps());
        lc.put("center", true).put("scale", true);
        if (bn.isLockGammaBeta()) e.problem("BatchNormalization", "lockGammaBeta", "locked gamma/beta");
        if (bn.getRegularization() != null && !bn.getRegularization().isEmpty() || bn.getRegularizationBias() != null && !bn.getRegularizationBias().isEmpty())
            e.problem("BatchNormalization", "regularization", "regularized gamma/beta are not generated yet");
        e.weights(w -> switch (Weights.role(w)) {
            case "gamma" -> Weights.vector("gamma");
            case "beta" -> Weights.vector("beta");
            case "moving_mean" -> Weights.vector("mean");
            case "moving_variance" -> Weights.batchNormVariance();
            default -> null;
        });
        return lc;
    }

    private static ObjectNode repeatVector(RepeatVector rv, Emit e) {
        if (!e.in().flat() && !e.in().volume()) return e.noCounterpart(rv);
        ObjectNode lc = e.config("RepeatVector");
        lc.put("n", rv.getN());
        e.out(Flow.sequence(e.in().widthOrZero(), false)); // Keras: [batch, n, features]
        return lc;
    }

    /** Keras' embeddings: DL4J's W [nIn, nOut] as it is. */
    private static final Weights.Source EMBEDDINGS = w -> Weights.role(w).equals("embeddings") ? Weights.same("W") : null;

    private static ObjectNode embeddingSequence(EmbeddingSequenceLayer es, Emit e) {
        if (!e.in().sequence() || !e.readsInput()) return e.noCounterpart(es);
        ObjectNode lc = e.config("Embedding");
        lc.put("input_dim", es.getNIn()).put("output_dim", es.getNOut()).put("mask_zero", false);
        lc.set("embeddings_regularizer", e.regularizer(es.getRegularization(), "regularization"));
        if (es.hasBias()) e.problem("EmbeddingSequenceLayer", "hasBias", "an embedding with a bias has no Keras counterpart");
        if (!"linear".equals(KerasJson.activation(es.getActivationFn())))
            e.problem("EmbeddingSequenceLayer", "activation", "an embedding with an activation has no Keras counterpart");
        e.out(Flow.sequence(es.getNOut(), false)); // Keras' Embedding output is [batch, time, features]
        e.weights(EMBEDDINGS);
        return lc;
    }

    private static ObjectNode embedding(EmbeddingLayer em, Emit e) {
        if (!e.in().flat() || !e.readsInput()) return e.noCounterpart(em);
        ObjectNode lc = e.config("Embedding");
        lc.put("input_dim", em.getNIn()).put("output_dim", em.getNOut()).put("mask_zero", false);
        lc.set("embeddings_regularizer", e.regularizer(em.getRegularization(), "regularization"));
        if (em.hasBias()) e.problem("EmbeddingLayer", "hasBias", "an embedding with a bias has no Keras counterpart");
        if (!"linear".equals(KerasJson.activation(em.getActivationFn())))
            e.problem("EmbeddingLayer", "activation", "an embedding with an activation has no Keras counterpart");
        // DL4J: one index per row -> [batch, n]; Keras: [batch, 1] -> [batch, 1, n], flattened after
        e.after(KerasJson.reshape(e.name() + "_flatten", em.getNOut()));
        e.out(Flow.features(em.getNOut()));
        e.weights(EMBEDDINGS);
        return lc;
    }
}
