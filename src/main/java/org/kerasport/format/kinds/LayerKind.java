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

    /** Rearranges the arrays a Keras 1 file stores for the layer into the Keras 2/3 variables, in place. */
    @FunctionalInterface
    public interface Keras1Weights {
        void convert(LayerSpec layer, Keras1Arrays arrays);
    }

    /** The arrays a Keras 1 file stores for one layer, in file order ({@code format.WeightAssembler} implements it). */
    public interface Keras1Arrays {
        int size();

        long[] shape(int index);

        /**
         * Replaces arrays {@code [from, to)}, three per gate (W, U, b) in Keras 1's gate order, by three arrays: the
         * W, U and b of every gate joined on the last axis, gates taken in {@code gateOrder}.
         */
        void joinGates(int from, int to, int[] gateOrder);

        /** Array {@code index} with its axes permuted (new axis i = old axis perm[i]). */
        void transpose(int index, int[] perm);

        /** Array {@code index} with the same values in C order under another shape. */
        void reshape(int index, long[] shape);
    }

    /** The input shape is the output shape. */
    public static final ShapeRule SAME_SHAPE = (l, ins, inner) -> ins.get(0);
    /** The layer owns no variables. */
    public static final WeightRule NO_WEIGHTS = (l, out) -> true;

    private final String className;
    private Set<String> aliases = Set.of();
    private ShapeRule shape;
    private WeightRule weights = NO_WEIGHTS;
    private Keras1Weights keras1Weights;
    private ConfigUpgrade upgrade;
    private Set<String> keptKeys = Set.of();

    private LayerKind(String className) {
        this.className = className;
    }

    private LayerKind copy() {
        LayerKind k = new LayerKind(className);
        k.aliases = aliases;
        k.shape = shape;
        k.weights = weights;
        k.keras1Weights = keras1Weights;
        k.upgrade = upgrade;
        k.keptKeys = keptKeys;
        return k;
    }

    /** A class with no output-shape rule, no variables and no config upgrade, until the methods below add them. */
    public static LayerKind kind(String className) {
        return new LayerKind(className);
    }

    /** Other names older Keras versions wrote for this class ({@code Convolution2D} for Conv2D). */
    public LayerKind alias(String... older) {
        Set<String> a = new LinkedHashSet<>(aliases);
        a.addAll(List.of(older));
        LayerKind k = copy();
        k.aliases = Set.copyOf(a);
        return k;
    }

    public LayerKind shape(ShapeRule rule) {
        LayerKind k = copy();
        k.shape = rule;
        return k;
    }

    public LayerKind sameShape() {
        return shape(SAME_SHAPE);
    }

    public LayerKind weights(WeightRule rule) {
        LayerKind k = copy();
        k.weights = rule;
        return k;
    }

    /** Variables not tabled: a reader names them after the file and attaches no regularizer. */
    public LayerKind untabledWeights() {
        return weights(null);
    }

    /** How a Keras 1 file's arrays for this class become the Keras 2/3 variables (when Keras 1 stored them differently). */
    public LayerKind keras1Weights(Keras1Weights rule) {
        LayerKind k = copy();
        k.keras1Weights = rule;
        return k;
    }

    public LayerKind upgrade(ConfigUpgrade u) {
        LayerKind k = copy();
        k.upgrade = u;
        return k;
    }

    /** Config keys the generic upgrade would drop (Keras 1 leftovers) that this class's Keras 3 constructor takes. */
    public LayerKind keeps(String... keys) {
        LayerKind k = copy();
        k.keptKeys = Set.of(keys);
        return k;
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

    /** The Keras 1 array conversion, or null when Keras 1 stored the variables as Keras 2/3 do. */
    public Keras1Weights keras1Weights() {
        return keras1Weights;
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
