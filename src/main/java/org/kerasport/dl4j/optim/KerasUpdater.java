package org.kerasport.dl4j.optim;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonInclude;

/**
 * Shared base of the Keras-exact DL4J updater configurations: the learning rate (a constant or an {@link ISchedule},
 * e.g. one of {@link KerasSchedules}), the state layout and equality/cloning/JSON.
 *
 * <p>Learning rate: {@link #getLearningRate(int, int)} is the value Keras uses for the step taken when
 * {@code optimizer.iterations == iteration} (DL4J's {@code iteration} argument is the number of updates done before
 * this one, which is exactly Keras' {@code iterations} before its increment): the schedule's value at
 * {@code iteration}, or the constant rounded to float32 (Keras keeps a constant learning rate in a float32
 * variable). DL4J's {@code UpdaterBlock} passes this same value to POST_UPDATER regularizations such as
 * {@code WeightDecay(coeff, applyLR=true)} (see the package documentation).
 *
 * <p>State: {@link #stateNames()} lists Keras' slot-variable names in Keras' build order; the DL4J state view of a
 * block of n parameters is {@code stateNames().size()} consecutive length-n slots in that order.
 *
 * <p>JSON: serialized by ND4J's (shaded) Jackson through the fields, like ND4J's own updaters, with an
 * {@code "@class"} property; every subclass has a public no-argument constructor (Keras' defaults).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class KerasUpdater implements IUpdater {
    private static final long serialVersionUID = 1L;

    /** The constant learning rate; NaN when {@link #learningRateSchedule} is set (ND4J's convention). */
    protected double learningRate;
    /** The learning-rate schedule, evaluated at Keras' {@code iterations}; null for a constant rate. */
    protected ISchedule learningRateSchedule;
    /**
     * Keras {@code clipvalue}: every gradient element clipped to [−v, v] before the update (and before decoupled
     * weight decay), after DL4J added the L1/L2 gradients, as Keras clips the gradient of the total loss; null for none.
     */
    protected Double clipValue;
    /**
     * Keras {@code clipnorm}: the gradient of each variable scaled by clipnorm / max(||g||, clipnorm). Exact only when
     * each DL4J updater block holds one variable, which {@link #block} arranges (the importer checks it).
     */
    protected Double clipNorm;
    /** A distinct tag per variable keeps DL4J from merging variables into one updater block (for clipnorm); else null. */
    protected Integer block;

    protected KerasUpdater(double learningRate, ISchedule learningRateSchedule) {
        this.learningRate = learningRateSchedule != null ? Double.NaN : learningRate;
        this.learningRateSchedule = learningRateSchedule;
    }

    /** Keras' slot-variable names ({@code add_optimizer_variables} names), in Keras' build order. */
    public abstract List<String> stateNames();

    /** The hyper-parameters other than the learning rate, by Keras name, for equality and toString. */
    protected abstract Map<String, Object> hyperParameters();

    /** A new, uninitialized gradient updater for this configuration. */
    protected abstract KerasGradientUpdater<?> newUpdater();

    /** Sets Keras' {@code clipvalue} (null: no clipping) and returns this configuration. */
    public KerasUpdater withClipValue(Double v) {
        if (v != null) requirePositive("clipvalue", v);
        this.clipValue = v;
        return this;
    }

    public Double getClipValue() {
        return clipValue;
    }

    /** Sets Keras' {@code clipnorm} (null: none) and returns this configuration. */
    public KerasUpdater withClipNorm(Double v) {
        if (v != null) requirePositive("clipnorm", v);
        this.clipNorm = v;
        return this;
    }

    public Double getClipNorm() {
        return clipNorm;
    }

    /** A copy tagged for its own updater block (one variable per block, for clipnorm). */
    public KerasUpdater inBlock(int tag) {
        KerasUpdater c = clone();
        c.block = tag;
        return c;
    }

    /** The constant learning rate as configured (NaN when a schedule is set). */
    public double getLearningRate() {
        return learningRate;
    }

    /** The learning-rate schedule, or null. */
    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    /**
     * The learning rate Keras uses for the update applied when {@code iterations == iteration}: the schedule's value,
     * or the constant as float32.
     */
    @Override
    public double getLearningRate(int iteration, int epoch) {
        if (learningRateSchedule != null) return learningRateSchedule.valueAt(iteration, epoch);
        return (float) learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lrSchedule != null ? Double.NaN : lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public long stateSize(long numParams) {
        return stateNames().size() * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        KerasGradientUpdater<?> u = newUpdater();
        u.setStateViewArray(viewArray, null, 'c', initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        KerasGradientUpdater<?> u = newUpdater();
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public KerasUpdater clone() {
        try {
            KerasUpdater c = (KerasUpdater) super.clone();
            if (learningRateSchedule != null) c.learningRateSchedule = learningRateSchedule.clone();
            return c;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /** DL4J merges layers into one updater block only when their updater configurations are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (o == null || o.getClass() != getClass()) return false;
        KerasUpdater u = (KerasUpdater) o;
        return Double.compare(learningRate, u.learningRate) == 0
                && Objects.equals(learningRateSchedule, u.learningRateSchedule)
                && Objects.equals(clipValue, u.clipValue)
                && Objects.equals(clipNorm, u.clipNorm)
                && Objects.equals(block, u.block)
                && hyperParameters().equals(u.hyperParameters());
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass(), Double.hashCode(learningRate), learningRateSchedule, clipValue, clipNorm, block, hyperParameters());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(learning_rate=");
        sb.append(learningRateSchedule != null ? learningRateSchedule : Double.toString(learningRate));
        hyperParameters().forEach((k, v) -> sb.append(", ").append(k).append('=').append(v));
        if (clipValue != null) sb.append(", clipvalue=").append(clipValue);
        if (clipNorm != null) sb.append(", clipnorm=").append(clipNorm);
        return sb.append(')').toString();
    }

    static double requireInRange(String name, double value, double min, double max) {
        if (!(value >= min && value <= max))
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        return value;
    }

    static double requirePositive(String name, double value) {
        if (!(value > 0)) throw new IllegalArgumentException(name + " must be > 0, got " + value);
        return value;
    }

    static double requireNonNegative(String name, double value) {
        if (!(value >= 0)) throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        return value;
    }

    /** The Keras updater the graph's trainable layers use (the first layer with parameters), or null if none uses one. */
    public static KerasUpdater of(org.deeplearning4j.nn.graph.ComputationGraph g) {
        for (var v : g.getVertices())
            if (v.hasLayer() && v.getLayer().numParams() > 0
                    && v.getLayer().conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer bl
                    && bl.getIUpdater() instanceof KerasUpdater ku)
                return ku;
        return null;
    }
}
