package org.kerasport.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.kerasport.UserInputException;
import org.kerasport.format.Json;
import org.kerasport.format.TrainingConfigParser;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.LossSpec;
import org.kerasport.model.OptimizerSpec;
import org.kerasport.model.Regularizer;
import org.kerasport.model.TensorRef;
import org.kerasport.model.TrainingSpec;
import org.kerasport.model.WeightSpec;
import org.kerasport.UsageException;

/**
 * The changes a fine-tuning run may make to a Keras model before training, each producing a new {@link KerasModel}:
 * regularizer overrides, trainable flags, optimizer and loss overrides. Keeping them on the Keras model (not on the
 * DL4J graph) means import, training and export all see one truth.
 */
public final class ModelEdits {
    private ModelEdits() {
    }

    /** Weight roles a "kernel" penalty ({@code --l2 λ}, {@code --l1 λ}) applies to: the layer's main weight matrices. */
    public static final Set<String> KERNEL_ROLES = Set.of("kernel", "depthwise_kernel", "pointwise_kernel", "embeddings");

    /**
     * Regularizer overrides.
     *
     * @param l2All   L2 λ set on every kernel (null: unchanged)
     * @param l1All   L1 λ set on every kernel (null: unchanged); with l2All both become one L1L2
     * @param l2Layer L2 λ per layer name, set on that layer's kernels (wins over l2All for that layer)
     * @param scale   multiplies every l1 and l2 of every regularizer after the above (null: 1)
     */
    public record Penalties(Double l2All, Double l1All, Map<String, Double> l2Layer, Double scale) {
        public boolean isEmpty() {
            return l2All == null && l1All == null && (l2Layer == null || l2Layer.isEmpty()) && scale == null;
        }
    }

    public static KerasModel penalties(KerasModel m, Penalties p) {
        if (p.isEmpty()) return m;
        Map<String, Double> perLayer = p.l2Layer() == null ? Map.of() : p.l2Layer();
        for (String l : perLayer.keySet())
            if (m.graph().layer(l).isEmpty())
                throw new UsageException("--l2 " + l + "=...: the model has no layer '" + l + "' (layers: "
                        + String.join(", ", m.layers().stream().map(LayerSpec::name).toList()) + ")");
        List<LayerSpec> layers = new ArrayList<>();
        for (LayerSpec l : m.layers()) {
            List<WeightSpec> ws = new ArrayList<>();
            for (WeightSpec w : l.weights()) {
                Regularizer r = w.regularizer();
                if (KERNEL_ROLES.contains(w.role())) {
                    Double l2 = perLayer.containsKey(l.name()) ? perLayer.get(l.name()) : p.l2All();
                    if (l2 != null || p.l1All() != null) r = combine(p.l1All(), l2);
                }
                if (r != null && p.scale() != null && !(r instanceof Regularizer.Orthogonal))
                    r = scale(r, p.scale());
                ws.add(new WeightSpec(w.name(), w.role(), w.shape(), w.dtype(), w.data(), w.trainable(), r, w.source()));
            }
            layers.add(l.withWeights(ws));
        }
        return m.withGraph(regraph(m.graph(), layers));
    }

    /** The layers that have a kernel (a weight with a {@link #KERNEL_ROLES} role), in config order. */
    public static List<String> kernelLayers(KerasModel m) {
        return m.layers().stream().filter(l -> l.weights().stream().anyMatch(w -> KERNEL_ROLES.contains(w.role())))
                .map(LayerSpec::name).toList();
    }

    /**
     * Sets the regularizer of the kernels ({@link #KERNEL_ROLES}) of {@code layers} to {@code r}, replacing what they
     * had; null removes it. Other weights and layers keep theirs.
     *
     * @throws UserInputException (usage) when a name is not a layer with a kernel
     */
    public static KerasModel kernelRegularizer(KerasModel m, List<String> layers, Regularizer r) {
        List<String> withKernel = kernelLayers(m);
        for (String l : layers)
            if (!withKernel.contains(l))
                throw new UsageException("--scope " + l + ": not a layer with a kernel (layers with kernels: "
                        + String.join(", ", withKernel) + ")");
        Set<String> scope = Set.copyOf(layers);
        List<LayerSpec> out = new ArrayList<>();
        for (LayerSpec l : m.layers()) {
            if (!scope.contains(l.name())) {
                out.add(l);
                continue;
            }
            List<WeightSpec> ws = new ArrayList<>();
            for (WeightSpec w : l.weights())
                ws.add(KERNEL_ROLES.contains(w.role())
                        ? new WeightSpec(w.name(), w.role(), w.shape(), w.dtype(), w.data(), w.trainable(), r, w.source()) : w);
            out.add(l.withWeights(ws));
        }
        return m.withGraph(regraph(m.graph(), out));
    }

    private static Regularizer combine(Double l1, Double l2) {
        if (l1 != null && l2 != null) return new Regularizer.L1L2(l1, l2, "L1L2");
        if (l1 != null) return new Regularizer.L1(l1, "L1");
        return new Regularizer.L2(l2, "L2");
    }

    private static Regularizer scale(Regularizer r, double s) {
        if (r instanceof Regularizer.L1 x) return new Regularizer.L1(x.l1() * s, x.writtenAs());
        if (r instanceof Regularizer.L2 x) return new Regularizer.L2(x.l2() * s, x.writtenAs());
        return new Regularizer.L1L2(r.l1() * s, r.l2() * s, r.writtenAs());
    }

    /**
     * Changes trainable flags. A spec is a layer name, a regular expression matched against whole layer names, or
     * {@code up-to:NAME} (every layer up to and including NAME, in config order); {@code all} unfreezes everything.
     * A nested model (a Sequential or Functional used as a layer, such as the transfer-learning guide's base) follows
     * as a whole, as Keras' {@code Model.trainable} setter; a layer inside it is named {@code OUTER/INNER} (any depth,
     * a regular expression containing "/" matches such names): unfreezing it makes the enclosing model trainable with
     * only that sublayer unfrozen, as Keras' {@code base.trainable = True} followed by freezing the other sublayers
     * ("unfreeze the top N layers of the base").
     */
    public static KerasModel trainable(KerasModel m, List<String> freeze, List<String> unfreeze) {
        if (freeze.isEmpty() && unfreeze.isEmpty()) return m;
        Map<String, Boolean> set = new LinkedHashMap<>();
        for (String spec : freeze) for (String l : select(m, spec, "--freeze")) set.put(l, false);
        for (String spec : unfreeze) for (String l : select(m, spec, "--unfreeze")) set.put(l, true);
        List<LayerSpec> layers = new ArrayList<>();
        for (LayerSpec l : m.layers()) layers.add(apply(l, "", set));
        return m.withGraph(regraph(m.graph(), layers));
    }

    /** The flags of {@code set} (qualified names) applied to l (qualified name prefix + l.name()) and below. */
    private static LayerSpec apply(LayerSpec l, String prefix, Map<String, Boolean> set) {
        String q = prefix + l.name();
        Boolean t = set.get(q);
        LayerSpec out = t == null ? l : setTrainable(l, t);
        if (out.inner() == null || set.keySet().stream().noneMatch(k -> k.startsWith(q + "/"))) return out;
        List<LayerSpec> sub = new ArrayList<>();
        boolean anyTrainable = false;
        for (LayerSpec s : out.inner().layers()) {
            LayerSpec s2 = s.isInput() ? s : apply(s, q + "/", set);
            anyTrainable |= !s2.isInput() && s2.trainable();
            sub.add(s2);
        }
        KerasGraph inner = regraph(out.inner(), sub);
        boolean outer = out.trainable() || anyTrainable; // Keras trains a sublayer only inside a trainable model
        ObjectNode cfg = out.config().deepCopy();
        cfg.put("trainable", outer);
        // the enclosing layer holds the nested weights, named <sublayer>[.<subsublayer>].<weight>
        List<WeightSpec> ws = new ArrayList<>();
        for (WeightSpec w : out.weights()) ws.add(w.withTrainable(outer && trainableIn(inner, w.name()) && !statistic(w)));
        return new LayerSpec(out.name(), out.className(), out.writtenClassName(), cfg, out.rawConfig(), outer,
                out.inboundNodes(), ws, out.activityRegularizer(), inner, out.synthesized());
    }

    /** Whether the sublayer owning nested weight {@code name} (<sublayer>[.<subsublayer>].<weight>) is trainable. */
    private static boolean trainableIn(KerasGraph g, String name) {
        for (LayerSpec s : g.layers()) {
            if (s.isInput() || !name.startsWith(s.name() + ".")) continue;
            if (!s.trainable()) return false;
            String rest = name.substring(s.name().length() + 1);
            return s.inner() == null || !rest.contains(".") || trainableIn(s.inner(), rest);
        }
        return true;
    }

    private static boolean statistic(WeightSpec w) {
        return w.role().startsWith("moving_") || Set.of("mean", "variance", "count").contains(w.role());
    }

    private static LayerSpec setTrainable(LayerSpec l, boolean t) {
        ObjectNode cfg = l.config().deepCopy();
        cfg.put("trainable", t);
        List<WeightSpec> ws = new ArrayList<>();
        for (WeightSpec w : l.weights()) {
            boolean statistic = w.role().startsWith("moving_") || Set.of("mean", "variance", "count").contains(w.role());
            ws.add(w.withTrainable(t && !statistic));
        }
        // a nested model: as Keras' Model.trainable setter, every layer inside it (at any depth) follows
        KerasGraph inner = l.inner();
        if (inner != null) {
            List<LayerSpec> sub = new ArrayList<>();
            for (LayerSpec s : inner.layers()) sub.add(s.isInput() ? s : setTrainable(s, t));
            inner = regraph(inner, sub);
        }
        return new LayerSpec(l.name(), l.className(), l.writtenClassName(), cfg, l.rawConfig(), t, l.inboundNodes(), ws,
                l.activityRegularizer(), inner, l.synthesized());
    }

    /** OUTER/INNER names of the layers inside nested models, any depth. */
    private static List<String> nestedNames(KerasGraph g, String prefix) {
        List<String> out = new ArrayList<>();
        for (LayerSpec l : g.layers()) {
            if (l.isInput()) continue;
            if (!prefix.isEmpty()) out.add(prefix + l.name());
            if (l.inner() != null) out.addAll(nestedNames(l.inner(), prefix + l.name() + "/"));
        }
        return out;
    }

    static List<String> select(KerasModel m, String spec, String option) {
        List<String> names = m.layers().stream().filter(l -> !l.isInput()).map(LayerSpec::name).toList();
        if (spec.equals("all")) return names;
        if (spec.startsWith("up-to:")) {
            String last = spec.substring(6);
            int i = names.indexOf(last);
            if (i < 0) throw new UsageException(option + " " + spec + ": no layer '" + last + "' (layers: " + String.join(", ", names) + ")");
            return names.subList(0, i + 1);
        }
        if (names.contains(spec)) return List.of(spec);
        if (spec.contains("/")) names = nestedNames(m.graph(), ""); // OUTER/INNER: a layer inside a nested model
        if (names.contains(spec)) return List.of(spec);
        Pattern p;
        try {
            p = Pattern.compile(spec);
        } catch (PatternSyntaxException e) {
            throw new UsageException(option + " " + spec + ": neither a layer name nor a valid regular expression (" + e.getDescription() + ")");
        }
        List<String> hit = names.stream().filter(n -> p.matcher(n).matches()).toList();
        if (hit.isEmpty()) throw new UsageException(option + " " + spec + ": matches no layer (layers: " + String.join(", ", names) + ")");
        return hit;
    }

    /**
     * Optimizer and loss overrides. {@code optimizer} replaces the model's optimizer by that Keras class with Keras'
     * defaults; {@code learningRate} and {@code weightDecay} then override those settings; {@code loss} applies to every
     * output. Without a training config in the file, an optimizer and a loss must both be given.
     */
    public static KerasModel training(KerasModel m, String optimizer, Double learningRate, Double weightDecay, String loss) {
        TrainingSpec t = m.training();
        if (optimizer == null && learningRate == null && weightDecay == null && loss == null) return m;
        TrainingConfigParser parser = new TrainingConfigParser(java.nio.file.Path.of(m.source().path()));
        OptimizerSpec o = t == null ? null : t.optimizer();
        ObjectNode cfg;
        String cls;
        if (optimizer != null) {
            cls = TrainingConfigParser.canonicalOptimizer(optimizer);
            cfg = Json.object();
        } else if (o != null) {
            cls = o.className();
            cfg = o.config().deepCopy();
        } else {
            throw new UsageException(m.source().path() + " has no optimizer in its training config: give --optimizer");
        }
        if (learningRate != null) {
            cfg.remove("lr");
            cfg.put("learning_rate", learningRate);
        }
        if (weightDecay != null) cfg.put("weight_decay", weightDecay);
        ObjectNode env = Json.object();
        env.put("class_name", cls);
        env.set("config", cfg);
        OptimizerSpec newOpt = parser.optimizer(env, "--optimizer");
        Map<String, LossSpec> losses = new LinkedHashMap<>(t == null ? Map.of() : t.losses());
        if (loss != null) {
            LossSpec ls = new LossSpec(TrainingConfigParser.canonicalLoss(loss), false, null);
            losses.clear();
            for (TensorRef out : m.graph().outputs()) losses.put(out.layer(), ls);
        }
        if (losses.isEmpty())
            throw new UsageException(m.source().path() + " has no loss in its training config: give --loss");
        return m.withTraining(new TrainingSpec(newOpt, losses, t == null ? Map.of() : t.lossWeights(),
                t == null ? null : t.loss(), t == null ? null : t.metrics(), t == null ? null : t.raw()));
    }

    /**
     * Transfer to new classes: the single output layer (a Dense) is replaced by a Dense with {@code units} units,
     * same activation, same regularizers, Keras' default initialization (Glorot-uniform kernel, zero bias) from
     * {@code seed}. The loss stays as it is; override it with --loss when the task changes kind.
     *
     * <p>When the output layer is a nested model (a Teachable Machine file ends in a Sequential head inside the
     * Sequential), the Dense that gives that model its single output is replaced, however deep: its variables are
     * kept by the outermost nested layer under the dotted path of the models between ({@code head.dense.kernel}).
     */
    public static KerasModel replaceHead(KerasModel m, int units, long seed) {
        if (m.graph().outputs().size() != 1)
            throw new UsageException("--replace-head needs a model with one output; this one has " + m.graph().outputs().size());
        String head = m.graph().outputs().get(0).layer();
        List<LayerSpec> chain = new ArrayList<>(); // the output layer, then down through nested models to the Dense
        chain.add(m.graph().layer(head).orElseThrow());
        while (org.kerasport.format.LayerCatalog.MODELS.contains(chain.get(chain.size() - 1).className())) {
            LayerSpec nested = chain.get(chain.size() - 1);
            KerasGraph inner = nested.inner();
            if (inner == null || inner.outputs().size() != 1)
                throw new UsageException("--replace-head needs a model with one output; the nested model '" + nested.name()
                        + "' has " + (inner == null ? 0 : inner.outputs().size()));
            chain.add(inner.layer(inner.outputs().get(0).layer()).orElseThrow());
        }
        LayerSpec old = chain.get(chain.size() - 1);
        String path = chain.size() == 1 ? head : head + " > " + String.join(" > ", chain.subList(1, chain.size()).stream().map(LayerSpec::name).toList());
        if (!old.className().equals("Dense"))
            throw new UsageException("--replace-head replaces a Dense output layer; '" + path + "' is a " + old.className());
        StringBuilder prefix = new StringBuilder(); // the variables' names in the outermost layer's list
        for (LayerSpec l : chain.subList(1, chain.size())) prefix.append(l.name()).append('.');
        LayerSpec holder = chain.get(0);
        WeightSpec k = holder.weight(prefix + "kernel").orElseThrow();
        long fanIn = k.shape()[0];
        double limit = Math.sqrt(6.0 / (fanIn + units));
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        float[] kernel = new float[(int) (fanIn * units)];
        for (int i = 0; i < kernel.length; i++) kernel[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        List<WeightSpec> ws = new ArrayList<>();
        for (WeightSpec w : holder.weights()) {
            if (w.name().equals(prefix + "kernel"))
                ws.add(new WeightSpec(w.name(), "kernel", new long[]{fanIn, units}, "float32", kernel, k.trainable(), k.regularizer(), null));
            else if (w.name().equals(prefix + "bias"))
                ws.add(new WeightSpec(w.name(), "bias", new long[]{units}, "float32", new float[units], w.trainable(), w.regularizer(), null));
            else ws.add(w);
        }
        ObjectNode cfg = old.config().deepCopy();
        cfg.put("units", units);
        com.fasterxml.jackson.databind.JsonNode raw = old.rawConfig().deepCopy();
        if (raw instanceof ObjectNode r) r.put(r.has("output_dim") ? "output_dim" : "units", units);
        LayerSpec neu = new LayerSpec(old.name(), old.className(), old.writtenClassName(), cfg, raw, true, old.inboundNodes(),
                chain.size() == 1 ? ws : old.weights(), old.activityRegularizer(), old.inner(), false);
        for (int i = chain.size() - 2; i >= 0; i--) { // rebuild the nested models around the new Dense, innermost first
            LayerSpec nested = chain.get(i), replaced = chain.get(i + 1);
            List<LayerSpec> innerLayers = new ArrayList<>();
            for (LayerSpec l : nested.inner().layers()) innerLayers.add(l == replaced ? neu : l);
            ObjectNode ncfg = nested.config().deepCopy();
            setUnits(ncfg, old.name(), units);
            com.fasterxml.jackson.databind.JsonNode nraw = nested.rawConfig() == null ? null : nested.rawConfig().deepCopy();
            setUnits(nraw, old.name(), units);
            neu = new LayerSpec(nested.name(), nested.className(), nested.writtenClassName(), ncfg, nraw, nested.trainable(),
                    nested.inboundNodes(), i == 0 ? ws : nested.weights(), nested.activityRegularizer(),
                    regraph(nested.inner(), innerLayers), nested.synthesized());
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (LayerSpec l : m.layers()) layers.add(l == holder ? neu : l);
        KerasModel edited = m.withGraph(regraph(m.graph(), layers));
        // the verbatim model config (what export writes back) says the new width too
        com.fasterxml.jackson.databind.JsonNode config = m.config() == null ? null : m.config().deepCopy();
        setUnits(config, old.name(), units);
        return new KerasModel(edited.graph(), edited.training(), edited.source(), edited.unsupported(), config, edited.optimizerVariables());
    }

    /** Sets units (Keras 1: output_dim) in every layer entry of a config tree whose config names {@code layer}. */
    private static void setUnits(com.fasterxml.jackson.databind.JsonNode n, String layer, int units) {
        if (n == null) return;
        if (n.isObject() && n.get("config") instanceof ObjectNode c && layer.equals(Json.text(c, "name")))
            c.put(c.has("output_dim") ? "output_dim" : "units", units);
        n.elements().forEachRemaining(child -> setUnits(child, layer, units));
    }

    private static KerasGraph regraph(KerasGraph g, List<LayerSpec> layers) {
        return new KerasGraph(g.className(), g.name(), layers, g.inputs(), g.outputs());
    }
}
