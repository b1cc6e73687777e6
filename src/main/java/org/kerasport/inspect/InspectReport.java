package org.kerasport.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kerasport.UnsupportedItem;
import org.kerasport.format.Json;
import org.kerasport.format.ShapeInference;
import org.kerasport.model.ActivityRegularizer;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.LossSpec;
import org.kerasport.model.OptimizerSpec;
import org.kerasport.model.OptimizerText;
import org.kerasport.model.Regularizer;
import org.kerasport.model.TensorRef;
import org.kerasport.model.TrainingSpec;
import org.kerasport.model.WeightSpec;

/**
 * What {@code kerasport inspect} shows: the model at a glance, as text for people and as one JSON object for tools.
 * The JSON shape is a contract (README "inspect --json"): fields are only ever added.
 */
public final class InspectReport {
    private final KerasModel model;
    private final Map<String, Long[]> shapes;

    public InspectReport(KerasModel model) {
        this.model = model;
        this.shapes = ShapeInference.infer(model.graph());
    }

    // ------------------------------------------------------------------ JSON

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        var src = model.source();
        o.put("file", src.path());
        if (src.weightsPath() != null) o.put("weights_file", src.weightsPath());
        o.put("format", src.format());
        o.put("keras_version", src.kerasVersion());
        o.put("backend", src.backend());
        o.put("sha256", src.sha256());
        o.put("model_class", model.graph().className());
        o.put("name", model.graph().name());
        o.set("inputs", tensors(model.graph().inputs()));
        o.set("outputs", tensors(model.graph().outputs()));
        ArrayNode layers = o.putArray("layers");
        for (LayerSpec l : model.layers()) {
            ObjectNode j = layers.addObject();
            j.put("name", l.name());
            j.put("class_name", l.className());
            if (!l.writtenClassName().equals(l.className())) j.put("written_class_name", l.writtenClassName());
            j.put("trainable", l.trainable());
            j.put("params", l.paramCount());
            j.set("output_shape", shapeJson(shapes.get(l.name())));
            ArrayNode in = j.putArray("inbound");
            for (TensorRef r : ShapeInference.firstCallInputs(l)) in.addArray().add(r.layer()).add(r.nodeIndex()).add(r.tensorIndex());
            if (l.inboundNodes().size() > 1) j.put("calls", l.inboundNodes().size());
            if (l.synthesized()) j.put("synthesized", true);
            if (l.inner() != null) j.set("inner_layers", innerLayers(l));
        }
        ObjectNode params = o.putObject("params");
        long total = 0, trainable = 0;
        ArrayNode weights = o.putArray("weights");
        for (LayerSpec l : model.layers())
            for (WeightSpec w : l.weights()) {
                total += w.size();
                if (w.trainable()) trainable += w.size();
                ObjectNode j = weights.addObject();
                j.put("layer", l.name());
                j.put("name", w.name());
                j.put("role", w.role());
                if (w.shape() == null) j.putNull("shape");
                else {
                    ArrayNode s = j.putArray("shape");
                    for (long d : w.shape()) s.add(d);
                }
                j.put("dtype", w.dtype());
                j.put("trainable", w.trainable());
            }
        params.put("total", total);
        params.put("trainable", trainable);
        params.put("non_trainable", total - trainable);
        ArrayNode regs = o.putArray("regularizers");
        for (KerasModel.RegularizedWeight rw : model.regularizedWeights()) {
            ObjectNode j = regularizerJson(regs.addObject(), rw.weight().regularizer());
            j.put("layer", rw.layer());
            j.put("weight", rw.weight().name());
            j.put("role", rw.weight().role());
            j.put("field", org.kerasport.format.ConfigReader.REGULARIZER_FIELD_BY_ROLE.get(rw.weight().role()));
            j.put("trainable", rw.weight().trainable());
        }
        ArrayNode acts = o.putArray("activity_regularizers");
        for (ActivityRegularizer a : model.activityRegularizers()) regularizerJson(acts.addObject(), a.regularizer()).put("layer", a.layer());
        TrainingSpec t = model.training();
        o.set("optimizer", t == null || t.optimizer() == null ? null : optimizerJson(t.optimizer()));
        if (t == null) {
            o.putNull("loss");
            o.putNull("loss_weights");
            o.putNull("metrics");
        } else {
            ObjectNode loss = o.putObject("loss");
            for (var e : t.losses().entrySet()) {
                LossSpec ls = e.getValue();
                if (ls == null) { loss.putNull(e.getKey()); continue; }
                ObjectNode j = loss.putObject(e.getKey());
                j.put("name", ls.name());
                j.put("from_logits", ls.fromLogits());
            }
            o.set("loss_as_written", t.loss());
            ObjectNode lw = o.putObject("loss_weights");
            t.lossWeights().forEach(lw::put);
            o.set("metrics", t.metrics());
        }
        ArrayNode uns = o.putArray("unsupported");
        for (UnsupportedItem u : model.unsupported()) {
            ObjectNode j = uns.addObject();
            j.put("layer", u.layer());
            j.put("class_name", u.className());
            j.put("field", u.field());
            j.put("reason", u.reason());
        }
        return o;
    }

    /** The layers inside a wrapper (Bidirectional, TimeDistributed) or a nested model, recursively. */
    private static ArrayNode innerLayers(LayerSpec l) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (LayerSpec s : l.inner().layers()) {
            if (s.synthesized()) continue;
            ObjectNode j = a.addObject();
            j.put("name", s.name());
            j.put("class_name", s.className());
            if (!s.writtenClassName().equals(s.className())) j.put("written_class_name", s.writtenClassName());
            j.put("trainable", s.trainable());
            if (s.inner() != null) j.set("inner_layers", innerLayers(s));
        }
        return a;
    }

    private ArrayNode tensors(List<TensorRef> refs) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (TensorRef r : refs) {
            ObjectNode j = a.addObject();
            j.put("name", r.layer());
            j.set("shape", shapeJson(shapes.get(r.layer())));
            model.graph().layer(r.layer()).filter(LayerSpec::isInput)
                    .ifPresent(l -> j.put("dtype", org.kerasport.format.Json.text(l.config(), "dtype") == null ? "float32"
                            : l.config().get("dtype").isTextual() ? l.config().get("dtype").asText() : "float32"));
        }
        return a;
    }

    private static JsonNode shapeJson(Long[] s) {
        if (s == null) return Json.MAPPER.nullNode();
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Long d : s) if (d == null) a.addNull(); else a.add(d);
        return a;
    }

    private static ObjectNode regularizerJson(ObjectNode j, Regularizer r) {
        j.put("class_name", r.className());
        j.put("written_as", r.writtenAs());
        j.put("l1", r.l1());
        j.put("l2", r.l2());
        if (r instanceof Regularizer.Orthogonal o) {
            j.put("factor", o.factor());
            j.put("mode", o.mode());
            j.putNull("dl4j_l1");
            j.putNull("dl4j_l2");
        } else {
            j.put("dl4j_l1", r.dl4jL1());
            j.put("dl4j_l2", r.dl4jL2());
        }
        return j;
    }

    private static ObjectNode optimizerJson(OptimizerSpec s) {
        ObjectNode j = Json.object();
        j.put("class_name", s.className());
        j.put("written_class_name", s.writtenClassName());
        if (s.learningRate() != null) j.put("learning_rate", s.learningRate());
        else j.putNull("learning_rate");
        if (s.learningRateSchedule() != null) j.set("learning_rate_schedule", s.learningRateSchedule());
        putIf(j, "weight_decay", s.weightDecay());
        putIf(j, "momentum", s.momentum());
        if (s.nesterov() != null) j.put("nesterov", s.nesterov());
        putIf(j, "beta_1", s.beta1());
        putIf(j, "beta_2", s.beta2());
        putIf(j, "epsilon", s.epsilon());
        if (s.amsgrad() != null) j.put("amsgrad", s.amsgrad());
        putIf(j, "rho", s.rho());
        if (s.centered() != null) j.put("centered", s.centered());
        putIf(j, "initial_accumulator_value", s.initialAccumulatorValue());
        putIf(j, "clipnorm", s.clipnorm());
        putIf(j, "clipvalue", s.clipvalue());
        putIf(j, "global_clipnorm", s.globalClipnorm());
        putIf(j, "legacy_lr_decay", s.legacyDecay());
        j.set("config", s.config());
        return j;
    }

    private static void putIf(ObjectNode j, String k, Double v) {
        if (v != null) j.put(k, v);
    }

    // ------------------------------------------------------------------ text

    public String toText() {
        StringBuilder sb = new StringBuilder();
        var src = model.source();
        sb.append("Model ").append(model.graph().name()).append(" (").append(model.graph().className()).append(")\n");
        sb.append("  file       ").append(src.path()).append(src.weightsPath() != null ? " + weights " + src.weightsPath() : "").append('\n');
        sb.append("  container  ").append(src.format()).append('\n');
        sb.append("  keras      ").append(src.kerasVersion() == null ? "unknown" : src.kerasVersion())
                .append(src.backend() == null ? "" : " (backend " + src.backend() + ")").append('\n');
        sb.append("  sha256     ").append(src.sha256()).append("\n\n");

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"Layer", "Class", "Output shape", "Params", "Trainable", "Inputs"});
        long total = 0, trainable = 0;
        for (LayerSpec l : model.layers()) {
            rows.add(new String[]{l.name(), l.className(), shapeText(shapes.get(l.name())), String.format("%,d", l.paramCount()),
                    l.trainable() ? "yes" : "no", String.join(", ", ShapeInference.firstCallInputs(l).stream().map(TensorRef::toString).toList())
                    + (l.inboundNodes().size() > 1 ? " (+" + (l.inboundNodes().size() - 1) + " more calls)" : "")});
            for (WeightSpec w : l.weights()) {
                total += w.size();
                if (w.trainable()) trainable += w.size();
            }
        }
        table(sb, rows, new boolean[]{false, false, false, true, false, false});
        sb.append(String.format("Params: %,d total, %,d trainable, %,d non-trainable%n%n", total, trainable, total - trainable));

        sb.append("Regularization (Keras adds l1*sum|w| + l2*sum(w^2); DL4J L2 carries a 1/2, so DL4J l2 = 2 * Keras l2)\n");
        List<KerasModel.RegularizedWeight> regs = model.regularizedWeights();
        if (regs.isEmpty()) sb.append("  none\n");
        else {
            List<String[]> r = new ArrayList<>();
            r.add(new String[]{"Layer", "Weight", "Keras", "l1", "l2", "DL4J l1", "DL4J l2", "Trainable"});
            for (KerasModel.RegularizedWeight rw : regs) {
                Regularizer g = rw.weight().regularizer();
                boolean orth = g instanceof Regularizer.Orthogonal;
                r.add(new String[]{rw.layer(), rw.weight().name(), describe(g), num(g.l1()), num(g.l2()),
                        orth ? "n/a" : num(g.dl4jL1()), orth ? "n/a" : num(g.dl4jL2()), rw.weight().trainable() ? "yes" : "no"});
            }
            table(sb, r, new boolean[]{false, false, false, true, true, true, true, false});
        }
        List<ActivityRegularizer> acts = model.activityRegularizers();
        sb.append("\nActivity regularizers (penalty on layer outputs)\n");
        if (acts.isEmpty()) sb.append("  none\n");
        for (ActivityRegularizer a : acts) sb.append("  ").append(a.layer()).append("  ").append(describe(a.regularizer())).append('\n');

        sb.append('\n');
        TrainingSpec t = model.training();
        if (t == null) sb.append("Training config: none (the model was saved uncompiled)\n");
        else {
            OptimizerSpec o = t.optimizer();
            sb.append("Optimizer  ").append(o == null ? "none" : OptimizerText.of(o)).append('\n');
            StringBuilder ls = new StringBuilder();
            t.losses().forEach((k, v) -> ls.append(ls.length() > 0 ? ", " : "").append(k).append(": ")
                    .append(v == null ? "none" : v.name() + (v.fromLogits() ? " (from logits)" : ""))
                    .append(t.lossWeights().containsKey(k) ? " x " + num(t.lossWeights().get(k)) : ""));
            sb.append("Loss       ").append(ls.length() == 0 ? "none" : ls).append('\n');
            if (t.metrics() != null) sb.append("Metrics    ").append(t.metrics()).append('\n');
        }
        if (!model.unsupported().isEmpty()) {
            sb.append("\nNot supported (").append(model.unsupported().size()).append(")\n");
            for (UnsupportedItem u : model.unsupported()) sb.append("  - ").append(u).append('\n');
        }
        return sb.toString();
    }

    static String shapeText(Long[] s) {
        if (s == null) return "?";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) sb.append(i > 0 ? ", " : "").append(s[i] == null ? "None" : s[i]);
        return sb.append(s.length == 1 ? ",)" : ")").toString();
    }

    /** Numbers as people read them: 0.001, 2e-07, 0.009999999776482582. */
    static String num(double v) {
        return OptimizerText.num(v);
    }

    static String describe(Regularizer g) {
        if (g instanceof Regularizer.Orthogonal r)
            return "OrthogonalRegularizer(factor=" + num(r.factor()) + ", mode=" + r.mode() + ")";
        if (g instanceof Regularizer.L1L2) return "L1L2(l1=" + num(g.l1()) + ", l2=" + num(g.l2()) + ")";
        return g instanceof Regularizer.L1 ? "L1(l1=" + num(g.l1()) + ")" : "L2(l2=" + num(g.l2()) + ")";
    }

    private static void table(StringBuilder sb, List<String[]> rows, boolean[] right) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < r.length; i++) {
                String cell = right[i] ? " ".repeat(w[i] - r[i].length()) + r[i] : r[i] + " ".repeat(w[i] - r[i].length());
                line.append(cell).append(i < r.length - 1 ? "  " : "");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (k == 0) {
                int len = 2;
                for (int x : w) len += x + 2;
                sb.append("  ").append("-".repeat(len - 4)).append('\n');
            }
        }
    }
}
