package org.kerasport.dl4j.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Keras activations as SameDiff ops, for the custom SameDiff layers. Names are Keras names, except that
 * {@code hard_sigmoid} is resolved by the writing Keras: {@code hard_sigmoid_k2} = clip(0.2x + 0.5, 0, 1) (Keras 1/2),
 * {@code hard_sigmoid_k3} = relu6(x + 3) / 6 (Keras 3).
 */
public final class SdActivations {
    private SdActivations() {
    }

    /** The SameDiff activation name for a Keras activation name, or null when there is none. */
    public static String resolve(String kerasName, int kerasMajor) {
        String n = org.kerasport.dl4j.activation.KerasActivations.canonical(kerasName);
        return switch (n) {
            case "linear", "identity", "None" -> "linear";
            case "hard_sigmoid" -> kerasMajor >= 3 ? "hard_sigmoid_k3" : "hard_sigmoid_k2";
            case "tanh", "sigmoid", "relu", "relu6", "softsign", "softplus", "elu", "selu", "exponential", "softmax",
                 "gelu", "gelu_approximate", "mish", "hard_silu", "leaky_relu", "log_softmax" -> n;
            case "silu" -> "swish";
            default -> null;
        };
    }

    public static SDVariable apply(SameDiff sd, String name, SDVariable x) {
        return switch (name) {
            case "linear" -> x;
            case "tanh" -> sd.math.tanh(x);
            case "sigmoid" -> sd.nn.sigmoid(x);
            case "relu" -> sd.nn.relu(x, 0.0);
            case "relu6" -> sd.nn.relu6(x, 0.0);
            case "hard_sigmoid_k2" -> sd.math.clipByValue(x.mul(0.2).add(0.5), 0.0, 1.0);
            case "hard_sigmoid_k3" -> sd.nn.relu6(x.add(3.0), 0.0).div(6.0);
            case "softsign" -> sd.nn.softsign(x);
            case "softplus" -> sd.nn.softplus(x);
            case "elu" -> sd.nn.elu(x);
            case "selu" -> sd.nn.selu(x);
            case "exponential" -> sd.math.exp(x);
            case "swish" -> sd.nn.swish(x);
            case "softmax" -> sd.nn.softmax(x, -1);
            // x/2 (1 + erf(x/√2)) and TensorFlow's tanh form
            case "gelu" -> x.mul(0.5).mul(sd.math.erf(x.mul(Math.sqrt(0.5))).add(1.0));
            case "gelu_approximate" -> x.mul(0.5).mul(sd.math.tanh(x.add(x.mul(x).mul(x).mul(0.044715))
                    .mul(Math.sqrt(2 / Math.PI))).add(1.0));
            case "mish" -> x.mul(sd.math.tanh(sd.nn.softplus(x)));
            case "hard_silu" -> x.mul(sd.nn.relu6(x.add(3.0), 0.0).div(6.0));
            case "leaky_relu" -> sd.nn.leakyRelu(x, 0.2);
            case "log_softmax" -> { // x − max − log Σ exp(x − max) over the last axis (tf.nn.log_softmax)
                SDVariable shifted = x.sub(x.max(true, -1));
                yield shifted.sub(sd.math.log(sd.math.exp(shifted).sum(true, -1)));
            }
            default -> throw new IllegalArgumentException("unknown activation " + name);
        };
    }
}
