package org.kerasport.format;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.format.kinds.LayerKind;
import org.kerasport.format.kinds.LayerKinds;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.Regularizer;

/**
 * The variables each Keras layer class owns, in Keras order (KERAS_FORMATS.md §2), with Keras 3 names, their role,
 * their regularizer and where a Keras 3 {@code .keras} weights file keeps them: each class's {@link LayerKind} weight
 * rule, with the regularizers read from the layer's config. One table for all readers and writers, so the containers
 * cannot disagree about a layer's weights.
 */
public final class WeightLayout {

    /**
     * One expected variable.
     *
     * @param name        Keras 3 name relative to the top-level layer ({@code kernel}, {@code lstm_cell.kernel} ...)
     * @param role        kernel, bias, recurrent_kernel, depthwise_kernel, pointwise_kernel, embeddings, gamma, beta,
     *                    moving_mean, moving_variance, alpha, mean, variance, count
     * @param trainable   trainable in Keras (false for statistics and for weights of frozen layers)
     * @param v3Path      path below the layer's group in a {@code .keras} weights file ({@code vars/0}, {@code cell/vars/1})
     * @param regularizer the regularizer on it, or null
     */
    public record Expected(String name, String role, boolean trainable, String v3Path, Regularizer regularizer) {
        Expected prefixed(String namePrefix, String pathPrefix, boolean parentTrainable) {
            return new Expected(namePrefix + name, role, trainable && parentTrainable, pathPrefix + v3Path, regularizer);
        }
    }

    /** Parses the regularizer a layer config holds in a field; supplied by the {@link ConfigReader} that read it. */
    @FunctionalInterface
    public interface Regularizers {
        Regularizer of(LayerSpec layer, String field);
    }

    private final Regularizers regularizers;

    public WeightLayout(Regularizers regularizers) {
        this.regularizers = regularizers;
    }

    /** The layer's variables in Keras order, or null when Kerasport does not know the class's variables. */
    public List<Expected> expected(LayerSpec layer) {
        List<Expected> own = own(layer);
        if (own == null) return null;
        if (layer.trainable()) return own;
        List<Expected> frozen = new ArrayList<>();
        for (Expected e : own) frozen.add(e.prefixed("", "", false));
        return frozen;
    }

    /** The class's {@link LayerKind} weight rule applied to the layer; null when the class's variables are not tabled. */
    private List<Expected> own(LayerSpec l) {
        LayerKind kind = LayerKinds.get(l.className());
        if (kind == null || kind.weights() == null) return null; // the reader names them after the file
        List<Expected> out = new ArrayList<>();
        boolean tabled = kind.weights().variables(l, new LayerKind.Vars() {
            @Override
            public void add(String name, String role, boolean trainable, String v3Path) {
                out.add(w(l, name, role, trainable, v3Path));
            }

            @Override
            public void add(String name, String role, boolean trainable, String v3Path, String regularizerField) {
                out.add(new Expected(name, role, trainable, v3Path, regularizers.of(l, regularizerField)));
            }

            @Override
            public boolean addInner(LayerSpec inner, String namePrefix, String pathPrefix) {
                List<Expected> in = expected(inner);
                if (in == null) return false;
                for (Expected e : in) out.add(e.prefixed(namePrefix, pathPrefix, true));
                return true;
            }

            @Override
            public boolean addModel(KerasGraph graph) {
                List<Expected> in = nested(graph);
                if (in == null) return false;
                out.addAll(in);
                return true;
            }
        });
        return tabled ? out : null;
    }

    /**
     * A model used as a layer: each sublayer's variables, named {@code <sublayer>.<name>} and kept in the
     * sublayer's own group ({@code layers/<snake_class>[_n]/...}). Order: per sublayer; see {@link #legacyOrder}.
     */
    private List<Expected> nested(KerasGraph g) {
        List<Expected> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean sequential = g.isSequential();
        for (LayerSpec sub : g.layers()) {
            if (sub.isInput() && (sequential || sub.synthesized())) continue;
            String group = "layers/" + v3GroupName(sub, seen) + "/";
            List<Expected> in = expected(sub);
            if (in == null) return null;
            for (Expected e : in) out.add(e.prefixed(sub.name() + ".", group, true));
        }
        return out;
    }

    /** The unique {@code snake_case(class)[_n]} group name Keras 3 gives a layer in a list. */
    public static String v3GroupName(LayerSpec l, Map<String, Integer> seen) {
        String base = LayerCatalog.snakeCase(l.writtenClassName().equals("Model") ? "Functional"
                : l.className().startsWith("ops.") ? l.writtenClassName() : l.className());
        int n = seen.merge(base, 1, Integer::sum) - 1;
        return n == 0 ? base : base + "_" + n;
    }

    /**
     * Legacy {@code .h5} files store a nested model's variables as all trainable ones first, then all
     * non-trainable ones ({@code layer.trainable_weights + layer.non_trainable_weights}); other layers in own order.
     */
    public static List<Expected> legacyOrder(LayerSpec l, List<Expected> expected) {
        if (l.inner() == null || !(l.className().equals("Sequential") || l.className().equals("Functional")))
            return expected;
        List<Expected> out = new ArrayList<>();
        for (Expected e : expected) if (e.trainable()) out.add(e);
        for (Expected e : expected) if (!e.trainable()) out.add(e);
        return out;
    }

    private Expected w(LayerSpec l, String name, String role, boolean trainable, String v3Path) {
        String field = ConfigReader.REGULARIZER_FIELD_BY_ROLE.get(role);
        Regularizer r = field == null ? null : regularizers.of(l, field);
        return new Expected(name, role, trainable, v3Path, r);
    }
}
