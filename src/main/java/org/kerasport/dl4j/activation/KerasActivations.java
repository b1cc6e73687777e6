package org.kerasport.dl4j.activation;

import com.fasterxml.jackson.databind.JsonNode;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/**
 * Keras activation functions as DL4J {@link IActivation}s, computed with the semantics of the Keras that wrote the
 * model: {@code hard_sigmoid} is clip(0.2x + 0.5, 0, 1) in Keras 1/2 and relu6(x + 3)/6 in Keras 3; {@code gelu} is
 * the exact erf form (the tanh form for keras_hub's {@code gelu_approximate}); the {@code leaky_relu} function's slope
 * is 0.2; {@code hard_silu} is x·relu6(x + 3)/6; {@code log_softmax} works on the last axis.
 */
public final class KerasActivations {
    private KerasActivations() {
    }

    /** Thrown for an activation Kerasport does not know; the caller reports it as unsupported. */
    public static final class UnknownActivation extends Exception {
        public UnknownActivation(String name) {
            super(name);
        }
    }

    /**
     * @param activation  the config value: a name, null, or a serialized function ({@code {"class_name": "function", "config": "relu"}})
     * @param kerasMajor  1, 2 or 3: the Keras that wrote the model
     */
    public static IActivation of(JsonNode activation, int kerasMajor) throws UnknownActivation {
        if (activation == null || activation.isNull()) return new ActivationIdentity();
        return of(name(activation), kerasMajor);
    }

    /**
     * The Keras name of an activation config value: a name, a serialized function, or a function a Keras library
     * registers ({@code keras_hub>gelu_approximate}, also keras_nlp's, is gelu with approximate=True:
     * {@code gelu_approximate} here). Aliases are resolved ({@code swish} → {@code silu}, {@code hard_swish} →
     * {@code hard_silu}). Null for null.
     */
    public static String name(JsonNode activation) {
        if (activation == null || activation.isNull()) return null;
        String name = activation.isTextual() ? activation.asText()
                : activation.path("config").isTextual() ? activation.path("config").asText()
                : activation.path("class_name").asText();
        return canonical(name);
    }

    /** A Keras activation name with aliases resolved (see {@link #name(JsonNode)}). */
    public static String canonical(String name) {
        return switch (name) {
            case "swish" -> "silu";
            case "hard_swish" -> "hard_silu";
            case "keras_hub>gelu_approximate", "keras_nlp>gelu_approximate" -> "gelu_approximate";
            default -> name;
        };
    }

    public static IActivation of(String name, int kerasMajor) throws UnknownActivation {
        return switch (canonical(name)) {
            case "linear", "identity", "None" -> new ActivationIdentity();
            case "relu" -> new KerasReLU();
            case "relu6" -> new ActivationReLU6();
            case "sigmoid" -> new ActivationSigmoid();
            case "tanh" -> new ActivationTanH();
            case "softmax" -> new ActivationSoftmax();
            case "softplus" -> new ActivationSoftPlus();
            case "softsign" -> new ActivationSoftSign();
            case "elu" -> new ActivationKerasElu(1.0);
            case "selu" -> new ActivationSELU();
            case "swish", "silu" -> new ActivationSwish();
            case "mish" -> new ActivationMish();
            case "leaky_relu" -> new ActivationLReLU(0.2);
            case "hard_sigmoid" -> kerasMajor >= 3 ? new ActivationKeras3HardSigmoid() : new ActivationHardSigmoid();
            case "gelu" -> new ActivationExactGelu();
            case "gelu_approximate" -> new ActivationTanhGelu();
            case "hard_silu" -> new ActivationHardSilu();
            case "log_softmax" -> new ActivationLogSoftmax();
            case "exponential" -> new ActivationExponential();
            default -> throw new UnknownActivation(name);
        };
    }
}
