package org.kerasport.export.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.kerasport.UnsupportedItem;
import org.kerasport.format.Json;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/** The Keras 3 JSON pieces the DL4J → Keras export writes: layer entries, activations, regularizers, losses, optimizers. */
public final class KerasJson {
    /**
     * Every Keras class this export writes as a layer or model. {@link #config} refuses any other class (a programming
     * error), and ClassNameTablesTest checks each against LayerCatalog and the importer's MapperRegistry.
     */
    public static final Set<String> KERAS_CLASSES = Set.of("Functional", "Sequential", "InputLayer",
            "Dense", "Dropout", "Activation", "Embedding", "Reshape", "Permute", "RepeatVector", "Concatenate", "Add",
            "Subtract", "Multiply", "Average", "Maximum", "PReLU", "BatchNormalization", "UnitNormalization", "Rescaling",
            "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
            "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
            "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
            "GlobalAveragePooling2D", "GlobalAveragePooling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
            "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Bidirectional",
            "LSTM", "SimpleRNN");

    private KerasJson() {
    }

    /** A new layer entry ({@code module} only; {@link #config} sets the class). */
    public static ObjectNode entry() {
        return Json.object().put("module", "keras.layers");
    }

    /** Sets the layer entry's class and returns its config, with the name, trainable and dtype every layer has. */
    public static ObjectNode config(ObjectNode layer, String className, String name) {
        if (!KERAS_CLASSES.contains(className)) throw new IllegalStateException("export writes Keras class " + className
                + ", which KerasJson.KERAS_CLASSES does not list");
        layer.put("class_name", className);
        return layer.putObject("config").put("name", name).put("trainable", true).put("dtype", "float32");
    }

    /** A complete Reshape entry to {@code target}. */
    public static ObjectNode reshape(String name, long... target) {
        ObjectNode r = entry();
        ArrayNode t = config(r, "Reshape", name).putArray("target_shape");
        for (long v : target) t.add(v);
        r.putNull("registered_name");
        return r;
    }

    static void pair(ObjectNode o, String field, int[] v) {
        o.putArray(field).add(v[0]).add(v[1]);
    }

    static void triple(ObjectNode o, String field, int[] v) {
        o.putArray(field).add(v[0]).add(v[1]).add(v[2]);
    }

    /** Keras' name for a DL4J activation, or null. */
    public static String activation(IActivation a) {
        String s = a == null ? "identity" : a.getClass().getSimpleName().replace("Activation", "").toLowerCase(Locale.ROOT);
        return switch (s) {
            case "identity" -> "linear";
            case "relu" -> a instanceof org.nd4j.linalg.activations.impl.ActivationReLU r && (r.getMax() != null
                    || (r.getThreshold() != null && r.getThreshold() != 0) || (r.getNegativeSlope() != null && r.getNegativeSlope() != 0)) ? null : "relu";
            case "sigmoid", "tanh", "softmax", "softplus", "softsign", "selu", "elu" -> s;
            case "swish" -> "silu";
            default -> a instanceof org.kerasport.dl4j.activation.KerasReLU ? "relu" : null;
        };
    }

    /** A Keras regularizer for DL4J's list (L2(c) is Keras l2(c/2)); JSON null when empty. */
    static JsonNode regularizer(List<Regularization> regs, String layer, String field, List<UnsupportedItem> problems) {
        Double l1 = null, l2 = null;
        for (Regularization r : regs == null ? List.<Regularization>of() : regs) {
            if (r instanceof L2Regularization l && l.getL2().valueAt(0, 0) == l.getL2().valueAt(1000000, 1000)) l2 = l.getL2().valueAt(0, 0) / 2;
            else if (r instanceof L1Regularization l && l.getL1().valueAt(0, 0) == l.getL1().valueAt(1000000, 1000)) l1 = l.getL1().valueAt(0, 0);
            else problems.add(new UnsupportedItem(layer, "regularization", field, r + " has no Keras weight regularizer counterpart"
                    + " (WeightDecay is decoupled: set it as the optimizer's weight_decay in Keras)"));
        }
        if (l1 == null && l2 == null) return NullNode.getInstance();
        ObjectNode o = Json.object().put("module", "keras.regularizers").put("class_name", l1 == null ? "L2" : l2 == null ? "L1" : "L1L2");
        ObjectNode c = o.putObject("config");
        if (l1 != null) c.put("l1", l1);
        if (l2 != null) c.put("l2", l2);
        o.putNull("registered_name");
        return o;
    }

    /** Keras' name for a DL4J loss, or null. */
    static String loss(ILossFunction f) {
        if (f instanceof LossMCXENT m && m.getWeights() == null) return "categorical_crossentropy";
        if (f instanceof LossMSE m && m.getWeights() == null) return "mean_squared_error";
        if (f instanceof LossBinaryXENT b && b.getWeights() == null) return "binary_crossentropy";
        return null;
    }

    /** The optimizer (Adam, SGD, Nesterov momentum with a fixed learning rate) and the loss; null without a loss. */
    public static ObjectNode compileConfig(IUpdater u, JsonNode loss) {
        if (loss == null) return null;
        ObjectNode c = Json.object();
        ObjectNode opt = c.putObject("optimizer").put("module", "keras.optimizers");
        ObjectNode oc;
        if (u instanceof Adam a && a.getLearningRateSchedule() == null) {
            opt.put("class_name", "Adam");
            oc = opt.putObject("config").put("name", "adam").put("learning_rate", a.getLearningRate())
                    .put("beta_1", a.getBeta1()).put("beta_2", a.getBeta2()).put("epsilon", a.getEpsilon()).put("amsgrad", false);
        } else if (u instanceof Nesterovs n && n.getLearningRateSchedule() == null && n.getMomentumISchedule() == null) {
            opt.put("class_name", "SGD");
            oc = opt.putObject("config").put("name", "SGD").put("learning_rate", n.getLearningRate()).put("momentum", n.getMomentum())
                    .put("nesterov", true);
        } else if (u instanceof Sgd s && s.getLearningRateSchedule() == null) {
            opt.put("class_name", "SGD");
            oc = opt.putObject("config").put("name", "SGD").put("learning_rate", s.getLearningRate()).put("momentum", 0.0)
                    .put("nesterov", false);
        } else {
            return null; // no compile config: the model loads uncompiled, and the export says so
        }
        oc.putNull("weight_decay");
        opt.putNull("registered_name");
        c.set("loss", loss);
        c.putNull("loss_weights");
        c.putNull("metrics");
        return c;
    }
}
