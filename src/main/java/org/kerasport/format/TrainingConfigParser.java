package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.kerasport.MalformedModelException;
import org.kerasport.model.LossSpec;
import org.kerasport.model.OptimizerSpec;
import org.kerasport.model.TensorRef;
import org.kerasport.model.TrainingSpec;

/**
 * Reads a legacy {@code training_config} (Keras 1, 2, tf.keras, Keras 3 .h5) or a Keras 3 {@code compile_config}
 * into a {@link TrainingSpec}: optimizer with every hyperparameter (KERAS_FORMATS.md §6), loss per output, loss weights.
 */
public final class TrainingConfigParser {
    private final Path file;

    public TrainingConfigParser(Path file) {
        this.file = file;
    }

    private static final Map<String, String> OPTIMIZERS = Map.ofEntries(
            Map.entry("sgd", "SGD"), Map.entry("adam", "Adam"), Map.entry("adamw", "AdamW"),
            Map.entry("rmsprop", "RMSprop"), Map.entry("adagrad", "Adagrad"), Map.entry("adadelta", "Adadelta"),
            Map.entry("adamax", "Adamax"), Map.entry("nadam", "Nadam"), Map.entry("ftrl", "Ftrl"),
            Map.entry("lion", "Lion"), Map.entry("adafactor", "Adafactor"), Map.entry("lamb", "Lamb"),
            Map.entry("loss_scale_optimizer", "LossScaleOptimizer"), Map.entry("lossscaleoptimizer", "LossScaleOptimizer"),
            Map.entry("muon", "Muon"));

    private static final Map<String, String> LOSS_ALIASES = Map.ofEntries(
            Map.entry("mse", "mean_squared_error"), Map.entry("mae", "mean_absolute_error"),
            Map.entry("mape", "mean_absolute_percentage_error"), Map.entry("msle", "mean_squared_logarithmic_error"),
            Map.entry("kld", "kl_divergence"), Map.entry("kullback_leibler_divergence", "kl_divergence"),
            Map.entry("huber_loss", "huber"), Map.entry("logcosh", "log_cosh"),
            Map.entry("cosine_proximity", "cosine_similarity"),
            // Loss classes (serialized Loss objects) and their function names
            Map.entry("MeanSquaredError", "mean_squared_error"), Map.entry("MeanAbsoluteError", "mean_absolute_error"),
            Map.entry("MeanAbsolutePercentageError", "mean_absolute_percentage_error"),
            Map.entry("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error"),
            Map.entry("BinaryCrossentropy", "binary_crossentropy"), Map.entry("BinaryFocalCrossentropy", "binary_focal_crossentropy"),
            Map.entry("CategoricalCrossentropy", "categorical_crossentropy"),
            Map.entry("CategoricalFocalCrossentropy", "categorical_focal_crossentropy"),
            Map.entry("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"),
            Map.entry("Huber", "huber"), Map.entry("KLDivergence", "kl_divergence"), Map.entry("LogCosh", "log_cosh"),
            Map.entry("Hinge", "hinge"), Map.entry("SquaredHinge", "squared_hinge"), Map.entry("CategoricalHinge", "categorical_hinge"),
            Map.entry("Poisson", "poisson"), Map.entry("CosineSimilarity", "cosine_similarity"), Map.entry("Dice", "dice"),
            Map.entry("Tversky", "tversky"));

    /** Canonical Keras 3 optimizer class for a written name (Custom&gt;Adam, adam, Adam ...). */
    public static String canonicalOptimizer(String written) {
        String n = written.startsWith("Custom>") ? written.substring(7) : written;
        if (n.startsWith("keras.optimizers.")) n = n.substring("keras.optimizers.".length());
        return OPTIMIZERS.getOrDefault(n.toLowerCase(Locale.ROOT), n);
    }

    /** Canonical Keras loss function name for a written loss name or Loss class name. */
    public static String canonicalLoss(String written) {
        String n = written.startsWith("keras.losses.") ? written.substring("keras.losses.".length()) : written;
        return LOSS_ALIASES.getOrDefault(n, n);
    }

    /**
     * @param tc      the training/compile config
     * @param outputs the model's outputs (to key losses by output name)
     * @param part    where tc came from, for messages
     */
    public TrainingSpec parse(JsonNode tc, List<TensorRef> outputs, String part) {
        if (tc == null || tc.isNull()) return null;
        if (!tc.isObject()) throw new MalformedModelException(file, part, "training config is not a JSON object");
        JsonNode opt = tc.has("optimizer_config") ? tc.get("optimizer_config") : tc.get("optimizer");
        OptimizerSpec optimizer = optimizer(opt, part);
        JsonNode loss = tc.get("loss");
        Map<String, LossSpec> losses = losses(loss, outputs, part + ".loss");
        Map<String, Double> weights = lossWeights(tc.get("loss_weights"), outputs);
        JsonNode metrics = tc.get("metrics");
        return new TrainingSpec(optimizer, losses, weights, loss, metrics == null || metrics.isNull() ? null : metrics, tc);
    }

    /** One serialized optimizer ({@code {class_name, config}} or a name) as an {@link OptimizerSpec}. */
    public OptimizerSpec optimizer(JsonNode opt, String part) {
        if (opt == null || opt.isNull()) return null;
        if (opt.isTextual()) { // compile(optimizer="adam") in a compile_config
            String cls = canonicalOptimizer(opt.asText());
            return new OptimizerSpec(cls, opt.asText(), null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, Json.object());
        }
        String written = Json.text(opt, "class_name");
        if (written == null) throw new MalformedModelException(file, part + ".optimizer", "optimizer without class_name");
        String cls = canonicalOptimizer(written);
        JsonNode c = opt.get("config");
        if (c == null || !c.isObject()) c = Json.object();
        JsonNode lrNode = c.has("learning_rate") ? c.get("learning_rate") : c.get("lr");
        Double lr = lrNode != null && lrNode.isNumber() ? lrNode.doubleValue() : null;
        JsonNode schedule = lrNode != null && lrNode.isObject() ? lrNode : null;
        return new OptimizerSpec(cls, written, lr, schedule, Json.number(c, "weight_decay"), Json.number(c, "momentum"),
                Json.bool(c, "nesterov"), Json.number(c, "beta_1"), Json.number(c, "beta_2"), Json.number(c, "epsilon"),
                Json.bool(c, "amsgrad"), Json.number(c, "rho"), Json.bool(c, "centered"),
                Json.number(c, "initial_accumulator_value"), Json.number(c, "clipnorm"), Json.number(c, "clipvalue"),
                Json.number(c, "global_clipnorm"), Json.number(c, "decay"), c);
    }

    private Map<String, LossSpec> losses(JsonNode loss, List<TensorRef> outputs, String part) {
        Map<String, LossSpec> out = new LinkedHashMap<>();
        if (loss == null || loss.isNull()) return out;
        if (loss.isObject() && !loss.has("class_name")) { // dict keyed by output name
            loss.fields().forEachRemaining(e -> out.put(e.getKey(), one(e.getValue(), part + "." + e.getKey())));
        } else if (loss.isArray()) { // list in output order
            for (int i = 0; i < loss.size(); i++) {
                String key = i < outputs.size() ? outputs.get(i).layer() : "output_" + i;
                out.put(key, one(loss.get(i), part + "[" + i + "]"));
            }
        } else {
            LossSpec one = one(loss, part);
            if (outputs.isEmpty()) out.put("output", one);
            for (TensorRef o : outputs) out.put(o.layer(), one);
        }
        return out;
    }

    private LossSpec one(JsonNode l, String part) {
        if (l == null || l.isNull()) return null;
        if (l.isTextual()) return new LossSpec(canonicalLoss(l.asText()), false, null);
        if (l.isObject()) {
            String cls = Json.text(l, "class_name");
            JsonNode cfg = l.get("config");
            if ("function".equals(cls) && cfg != null && cfg.isTextual()) return new LossSpec(canonicalLoss(cfg.asText()), false, null);
            if (cls == null) throw new MalformedModelException(file, part, "loss object without class_name");
            Boolean logits = Json.bool(cfg, "from_logits");
            return new LossSpec(canonicalLoss(cls), logits != null && logits, cfg);
        }
        throw new MalformedModelException(file, part, "a loss must be a name or a serialized Loss, found " + l.getNodeType());
    }

    private static Map<String, Double> lossWeights(JsonNode w, List<TensorRef> outputs) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (w == null || w.isNull()) return out;
        if (w.isObject()) w.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
        else if (w.isArray())
            for (int i = 0; i < w.size(); i++) out.put(i < outputs.size() ? outputs.get(i).layer() : "output_" + i, w.get(i).asDouble());
        else if (w.isNumber() && outputs.size() == 1) out.put(outputs.get(0).layer(), w.asDouble());
        return out;
    }
}
