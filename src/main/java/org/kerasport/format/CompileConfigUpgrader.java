package org.kerasport.format;

import static org.kerasport.format.KerasConfigUpgrader.envelope;
import static org.kerasport.format.KerasConfigUpgrader.rename;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LossSpec;
import org.kerasport.model.OptimizerSpec;
import org.kerasport.model.TensorRef;
import org.kerasport.model.TrainingSpec;

/**
 * The compile part of {@link KerasConfigUpgrader}: a model's optimizer, loss and metrics as Keras 3 writes them
 * ({@code compile_config}) or as a legacy {@code .h5} {@code training_config}, with older optimizer arguments upgraded.
 * Every change made is added to the upgrader's notes.
 */
final class CompileConfigUpgrader {
    private final KerasModel model;
    private final List<String> notes;

    CompileConfigUpgrader(KerasModel model, List<String> notes) {
        this.model = model;
        this.notes = notes;
    }

    /** Keras 3 loss class per loss function name, for serialized Loss objects. */
    private static final Map<String, String> LOSS_CLASSES = Map.ofEntries(
            Map.entry("mean_squared_error", "MeanSquaredError"), Map.entry("mean_absolute_error", "MeanAbsoluteError"),
            Map.entry("binary_crossentropy", "BinaryCrossentropy"), Map.entry("categorical_crossentropy", "CategoricalCrossentropy"),
            Map.entry("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"), Map.entry("huber", "Huber"),
            Map.entry("binary_focal_crossentropy", "BinaryFocalCrossentropy"),
            Map.entry("categorical_focal_crossentropy", "CategoricalFocalCrossentropy"));

    private static final Map<String, String> METRIC_ALIASES = Map.of("mse", "mean_squared_error", "mae", "mean_absolute_error",
            "mape", "mean_absolute_percentage_error", "msle", "mean_squared_logarithmic_error", "acc", "accuracy");

    /** Keras 3 {@code compile_config} ({@code .keras}), or null when the model has no training config. */
    public ObjectNode compileConfig() {
        TrainingSpec t = model.training();
        if (t == null || t.optimizer() == null) return null; // Keras cannot compile without an optimizer
        ObjectNode c = Json.object();
        c.set("optimizer", optimizer(t.optimizer(), true));
        c.set("loss", loss(t));
        c.set("loss_weights", lossWeights(t));
        c.set("metrics", metrics(t.metrics()));
        c.putNull("weighted_metrics");
        c.put("run_eagerly", false);
        c.put("steps_per_execution", 1);
        c.put("jit_compile", false);
        return c;
    }

    /** The legacy {@code .h5} {@code training_config}: full loss names, a loss_weights key, optimizer_config. */
    public ObjectNode trainingConfig() {
        ObjectNode c = compileConfig();
        if (c == null) return null;
        JsonNode opt = c.remove("optimizer");
        if (opt != null && opt.isObject()) {
            ObjectNode oc = Json.object();
            oc.set("class_name", opt.get("class_name"));
            oc.set("config", opt.get("config"));
            c.set("optimizer_config", oc);
        }
        return c;
    }

    private JsonNode optimizer(OptimizerSpec o, boolean withModule) {
        if (o == null) return Json.MAPPER.nullNode();
        ObjectNode cfg = o.config() == null ? Json.object() : o.config().deepCopy();
        rename(cfg, "lr", "learning_rate");
        for (String k : List.of("jit_compile", "is_legacy_optimizer", "schedule_decay"))
            if (cfg.has(k)) {
                cfg.remove(k);
                notes.add("optimizer: dropped '" + k + "' (not a Keras 3 optimizer argument)");
            }
        JsonNode decay = cfg.remove("decay");
        if (decay != null && decay.isNumber() && decay.doubleValue() != 0.0) {
            // legacy decay is lr / (1 + decay * iterations): Keras 3's InverseTimeDecay(lr, 1, decay)
            ObjectNode s = Json.object();
            s.put("module", "keras.optimizers.schedules");
            s.put("class_name", "InverseTimeDecay");
            s.putObject("config").put("initial_learning_rate", cfg.path("learning_rate").asDouble(0.001))
                    .put("decay_steps", 1).put("decay_rate", decay.doubleValue()).put("staircase", false).put("name", "InverseTimeDecay");
            s.putNull("registered_name");
            cfg.set("learning_rate", s);
            notes.add("optimizer: legacy decay=" + decay.doubleValue() + " written as InverseTimeDecay(learning_rate, 1, "
                    + decay.doubleValue() + "), which Keras 3 computes the same way");
        }
        JsonNode lr = cfg.get("learning_rate");
        if (lr != null && lr.isObject()) cfg.set("learning_rate", envelope(lr, "keras.optimizers.schedules", false));
        ObjectNode env = Json.object();
        if (withModule) env.put("module", "keras.optimizers");
        env.put("class_name", o.className());
        if (!o.className().equals(o.writtenClassName())) notes.add("optimizer " + o.writtenClassName() + " written as " + o.className());
        env.set("config", cfg);
        if (withModule) env.putNull("registered_name");
        return env;
    }

    private JsonNode loss(TrainingSpec t) {
        List<TensorRef> outs = model.graph().outputs();
        if (t.losses().isEmpty()) return Json.MAPPER.nullNode();
        if (outs.size() <= 1) {
            LossSpec l = t.losses().values().iterator().next();
            return oneLoss(l);
        }
        ObjectNode d = Json.object();
        for (TensorRef o : outs) {
            LossSpec l = t.losses().get(o.layer());
            d.set(o.layer(), l == null ? Json.MAPPER.nullNode() : oneLoss(l));
        }
        return d;
    }

    private JsonNode oneLoss(LossSpec l) {
        if (l == null) return Json.MAPPER.nullNode();
        String cls = LOSS_CLASSES.get(l.name());
        if (!l.fromLogits() || cls == null) return Json.MAPPER.getNodeFactory().textNode(l.name());
        ObjectNode env = Json.object();
        env.put("module", "keras.losses");
        env.put("class_name", cls);
        ObjectNode c = env.putObject("config");
        c.put("name", l.name());
        c.put("reduction", "sum_over_batch_size");
        c.put("from_logits", true);
        if (l.config() != null) l.config().fields().forEachRemaining(e -> {
            if (Set.of("label_smoothing", "axis", "ignore_class").contains(e.getKey())) c.set(e.getKey(), e.getValue());
        });
        env.putNull("registered_name");
        return env;
    }

    private static JsonNode lossWeights(TrainingSpec t) {
        if (t.lossWeights().isEmpty()) return Json.MAPPER.nullNode();
        ObjectNode d = Json.object();
        t.lossWeights().forEach(d::put);
        return d;
    }

    private JsonNode metrics(JsonNode m) {
        if (m == null || m.isNull()) return Json.MAPPER.nullNode();
        if (m.isTextual()) return Json.MAPPER.getNodeFactory().textNode(METRIC_ALIASES.getOrDefault(m.asText(), m.asText()));
        if (m.isArray()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (JsonNode e : m) {
                JsonNode x = metrics(e);
                if (x != null && !x.isNull()) a.add(x);
            }
            return a;
        }
        if (m.isObject() && !m.has("class_name")) {
            ObjectNode o = Json.object();
            m.fields().forEachRemaining(e -> o.set(e.getKey(), metrics(e.getValue())));
            return o;
        }
        if (m.isObject() && m.has("module")) return m;
        notes.add("metric " + m + " dropped (a tf.keras metric object Keras 3 cannot deserialize)");
        return Json.MAPPER.nullNode();
    }
}
