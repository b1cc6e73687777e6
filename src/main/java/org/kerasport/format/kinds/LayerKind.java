package org.kerasport.format.kinds;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.LayerSpec;

/**
 * Everything the format side knows about one Keras layer class, in one entry: its canonical (Keras 2/3) name, the
 * names older Keras versions wrote for it, its output-shape rule, its variables in Keras order and how an older
 * config is upgraded to one Keras 3 accepts. The families ({@code CoreKinds}, {@code ConvKinds} ...) list the
 * entries; {@link LayerKinds} is the one table of them. The DL4J mapper of the class lives in {@code dl4j/mappers},
 * keyed by the same name.
 *
 * <p>Immutable: each {@code with}-style method returns a copy, so an entry reads as one expression
 * ({@code kind("Conv2D").alias("Convolution2D").shape(CONV).weights(KERNEL_BIAS)}).
 */
public final class LayerKind {

    /** The output shape of one call given its input shapes (null entries are free dimensions); null when unknown. */
    @FunctionalInterface
    public interface ShapeRule {
        Long[] outputShape(LayerSpec layer, List<Long[]> inputs, Shapes.Inner inner);
    }

    /**
     * Adds the layer's variables, in Keras order, to {@code out}; false when they cannot be tabled for this config
     * (a wrapped layer whose variables are not tabled).
     */
    @FunctionalInterface
    public interface WeightRule {
        boolean variables(LayerSpec layer, Vars out);
    }

    /** Where a {@link WeightRule} puts the variables it names ({@code format.WeightLayout} implements it). */
    public interface Vars {
        /**
         * One variable.
         *
         * @param name      Keras 3 name relative to the layer ({@code kernel}, {@code lstm_cell.kernel})
         * @param role      kernel, bias, recurrent_kernel, depthwise_kernel, ... (the regularizer field follows from it)
         * @param trainable trainable in Keras (false for statistics)
         * @param v3Path    path below the layer's group in a {@code .keras} weights file ({@code vars/0})
         */
        void add(String name, String role, boolean trainable, String v3Path);

        /** As {@link #add(String, String, boolean, String)}, with the regularizer read from {@code regularizerField}. */
        void add(String name, String role, boolean trainable, String v3Path, String regularizerField);

        /** A wrapped layer's variables, names and paths prefixed; false when they are not tabled. */
        boolean addInner(LayerSpec inner, String namePrefix, String pathPrefix);

        /** A nested model's variables (each sub-layer in its own group); false when some are not tabled. */
        boolean addModel(KerasGraph graph);
    }

    /**
     * Rewrites an older (Keras 1, 2, tf.keras) config in place so Keras 3 accepts it, after the generic cleanup
     * every layer gets; {@code notes} records each change worth telling the user.
     */
    @FunctionalInterface
    public interface ConfigUpgrade {
        void upgrade(LayerSpec layer, ObjectNode config, Consumer<String> notes);
    }

    /** The input shape is the output shape. */
    public static final ShapeRule SAME_SHAPE = (l, ins, inner) -> ins.get(0);
    /** The layer owns no variables. */
    public static final WeightRule NO_WEIGHTS = (l, out) -> true;

    private final String className;
    private final Set<String> aliases;
    private final ShapeRule shape;
    private final WeightRule weights;
    private final ConfigUpgrade upgrade;
    private final Set<String> keptKeys;

    private LayerKind(String className, Set<String> aliases, ShapeRule shape, WeightRule weights, ConfigUpgrade upgrade,
                      Set<String> keptKeys) {
        this.className = className;
        this.aliases = aliases;
        this.shape = shape;
        this.weights = weights;
        this.upgrade = upgrade;
        this.keptKeys = keptKeys;
    }

    /** A class with no output-shape rule, no variables and no config upgrade, until the methods below add them. */
    public static LayerKind kind(String className) {
        return new LayerKind(className, Set.of(), null, NO_WEIGHTS, null, Set.of());
    }

    /** Other names older Keras versions wrote for this class ({@code Convolution2D} for Conv2D). */
    public LayerKind alias(String... older) {
        Set<String> a = new LinkedHashSet<>(aliases);
        a.addAll(List.of(older));
        return new LayerKind(className, Set.copyOf(a), shape, weights, upgrade, keptKeys);
    }

    public LayerKind shape(ShapeRule rule) {
        return new LayerKind(className, aliases, rule, weights, upgrade, keptKeys);
    }

    public LayerKind sameShape() {
        return shape(SAME_SHAPE);
    }

    public LayerKind weights(WeightRule rule) {
        return new LayerKind(className, aliases, shape, rule, upgrade, keptKeys);
    }

    /** Variables not tabled: a reader names them after the file and attaches no regularizer. */
    public LayerKind untabledWeights() {
        return weights(null);
    }

    public LayerKind upgrade(ConfigUpgrade u) {
        return new LayerKind(className, aliases, shape, weights, u, keptKeys);
    }

    /** Config keys the generic upgrade would drop (Keras 1 leftovers) that this class's Keras 3 constructor takes. */
    public LayerKind keeps(String... keys) {
        return new LayerKind(className, aliases, shape, weights, upgrade, Set.of(keys));
    }

    public String className() {
        return className;
    }

    public Set<String> aliases() {
        return aliases;
    }

    /** The output-shape rule, or null when Kerasport has none for this class. */
    public ShapeRule shape() {
        return shape;
    }

    /** The variables rule, or null when the class's variables are not tabled. */
    public WeightRule weights() {
        return weights;
    }

    /** The class's own config upgrade, or null when the generic one is all it needs. */
    public ConfigUpgrade upgrade() {
        return upgrade;
    }

    public boolean keepsKey(String key) {
        return keptKeys.contains(key);
    }

    @Override
    public String toString() {
        return "LayerKind[" + className + "]";
    }
}
