package org.kerasport.dl4j.optim;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Shared base of the Keras-exact gradient updaters: holds the slot arrays (views into the flat state array DL4J
 * allocates and saves with the model), reusable scratch arrays, and turns DL4J's
 * {@code applyUpdater(gradient, iteration, epoch)} into one Keras {@code update_step}.
 *
 * <p>DL4J convention: {@link #applyUpdater} overwrites {@code gradient} with the UPDATE u and DL4J then does
 * {@code params -= u}; each subclass writes u such that {@code w − u} is Keras' new value of w, computing with the
 * same float32 operations in the same order as Keras' {@code update_step}.
 *
 * <p>Slots: {@link #getState()} maps Keras' slot names ({@link KerasUpdater#stateNames()}) to the slot arrays, in
 * the parameter order of the block; {@link #setState} accepts the same (e.g. Keras' stored optimizer variables,
 * concatenated in the block's parameter order).
 */
public abstract class KerasGradientUpdater<T extends KerasUpdater> implements GradientUpdater<T> {
    protected final T config;
    private final List<String> names;
    private INDArray[] slots;
    private INDArray[] scratch = new INDArray[0];

    protected KerasGradientUpdater(T config) {
        this.config = config;
        this.names = List.copyOf(config.stateNames());
    }

    /**
     * One Keras {@code update_step}: on entry {@code g} holds the gradient (same shape as the slots), on exit the
     * update u with {@code w_new = w − u}.
     *
     * @param lr        the learning rate Keras uses at this step (a float32 value)
     * @param iteration Keras' {@code iterations} before this step (Keras' t is {@code iteration + 1})
     */
    protected abstract void step(INDArray g, float lr, long iteration);

    @Override
    public T getConfig() {
        return config;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        int k = names.size();
        if (k == 0) {
            if (viewArray != null && viewArray.length() != 0)
                throw new IllegalArgumentException(config + " has no state, got a state view of length " + viewArray.length());
            slots = new INDArray[0];
            return;
        }
        if (viewArray == null) throw new IllegalArgumentException(config + " needs a state view array");
        long length = viewArray.length();
        if (length % k != 0)
            throw new IllegalArgumentException("state view length " + length + " is not a multiple of " + k + " slots " + names);
        INDArray flat = viewArray.rank() == 1 ? viewArray
                : Shape.newShapeNoCopy(viewArray, new long[] {length}, viewArray.ordering() == 'f');
        if (flat == null) throw new IllegalArgumentException("the state view array cannot be flattened without a copy");
        long n = length / k;
        INDArray[] s = new INDArray[k];
        for (int i = 0; i < k; i++) {
            s[i] = flat.get(NDArrayIndex.interval(i * n, (i + 1) * n));
            if (gradientShape != null && !Arrays.equals(gradientShape, s[i].shape())) {
                INDArray r = Shape.newShapeNoCopy(s[i], gradientShape, gradientOrder == 'f');
                if (r == null) throw new IllegalArgumentException("cannot view a state slot as " + Arrays.toString(gradientShape));
                s[i] = r;
            }
        }
        slots = s;
        if (initialize) initialize();
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        Map<String, INDArray> m = stateMap == null ? Map.of() : stateMap;
        if (!m.keySet().equals(new HashSet<>(names)))
            throw new IllegalStateException(config.getClass().getSimpleName() + " state must have exactly the keys " + names
                    + ", got " + m.keySet());
        INDArray[] s = new INDArray[names.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = m.get(names.get(i));
            if (s[i] == null) throw new IllegalStateException("state \"" + names.get(i) + "\" is null");
            if (!Arrays.equals(s[i].shape(), s[0].shape()))
                throw new IllegalStateException("state arrays differ in shape: " + names.get(0) + " "
                        + Arrays.toString(s[0].shape()) + " vs " + names.get(i) + " " + Arrays.toString(s[i].shape()));
        }
        slots = s;
        if (initialize) initialize();
    }

    /** Keras' slot names to the slot arrays (the live arrays, not copies), in Keras' build order. */
    @Override
    public Map<String, INDArray> getState() {
        if (slots == null) return Collections.emptyMap();
        Map<String, INDArray> r = new LinkedHashMap<>();
        for (int i = 0; i < slots.length; i++) r.put(names.get(i), slots[i]);
        return r;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (slots == null) throw new IllegalStateException(config + ": the updater state has not been set");
        INDArray g = gradient;
        boolean copied = false;
        if (slots.length > 0 && !Arrays.equals(gradient.shape(), slots[0].shape())) {
            if (gradient.length() != slots[0].length())
                throw new IllegalArgumentException("gradient length " + gradient.length() + " != state length " + slots[0].length());
            g = Shape.newShapeNoCopy(gradient, slots[0].shape(), gradient.ordering() == 'f');
            if (g == null) {
                g = gradient.reshape(slots[0].shape()).dup();
                copied = true;
            }
        }
        float lr = (float) config.getLearningRate(iteration, epoch);
        Double clip = config.getClipValue();
        if (clip != null) {
            float v = (float) (double) clip;
            org.nd4j.linalg.ops.transforms.Transforms.min(g, v, false);
            org.nd4j.linalg.ops.transforms.Transforms.max(g, -v, false);
        }
        Double clipNorm = config.getClipNorm();
        if (clipNorm != null) { // Keras _clip_by_norm: g * c / max(||g||, c), always applied, in float32
            float c = (float) (double) clipNorm;
            float l2 = (float) Math.sqrt(g.mul(g).sumNumber().floatValue());
            g.muli(c).divi(Math.max(l2, c));
        }
        step(g, lr, iteration);
        if (copied) gradient.assign(g.reshape(gradient.shape()));
    }

    /** The slot with Keras' name {@code stateNames().get(index)}. */
    protected final INDArray slot(int index) {
        return slots[index];
    }

    /** Initial slot values, Keras' {@code add_optimizer_variables} initializer: zeros unless overridden. */
    protected void initialize() {
        for (INDArray s : slots) s.assign(0);
    }

    /**
     * Scratch array {@code index} shaped like {@code like}, allocated once outside any workspace and reused (its
     * contents are undefined on entry).
     */
    protected final INDArray scratch(int index, INDArray like) {
        if (scratch.length <= index) scratch = Arrays.copyOf(scratch, index + 1);
        INDArray s = scratch[index];
        if (s == null || s.dataType() != like.dataType() || !Arrays.equals(s.shape(), like.shape())) {
            s = Nd4j.createUninitializedDetached(like.dataType(), 'c', like.shape());
            scratch[index] = s;
        }
        return s;
    }

    /**
     * Direct views of float arrays for one fused pass over their elements (element i of every buffer is the same
     * logical element), or null when that is not possible: another data type, a non-contiguous view, different
     * lengths or memory orders. Callers then fall back to ND4J operations.
     */
    protected static java.nio.FloatBuffer[] fusable(INDArray... arrays) {
        java.nio.FloatBuffer[] out = new java.nio.FloatBuffer[arrays.length];
        INDArray first = arrays[0];
        for (int i = 0; i < arrays.length; i++) {
            INDArray a = arrays[i];
            if (a == null || a.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || a.length() != first.length()
                    || a.length() > Integer.MAX_VALUE || a.elementWiseStride() != 1
                    || (!a.isVector() && a.ordering() != first.ordering()) || (a.isVector() != first.isVector())) return null;
            java.nio.FloatBuffer b = a.data().asNioFloat();
            if (b == null) return null;
            out[i] = b.position((int) a.offset()).limit((int) (a.offset() + a.length())).slice();
        }
        return out;
    }

    /** {@code out = sqrt(x)} (element-wise, correctly rounded). */
    protected static INDArray sqrt(INDArray x, INDArray out) {
        return Nd4j.exec(new Sqrt(x, out));
    }
}
