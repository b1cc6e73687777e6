package org.kerasport.dl4j.optim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonInclude;

/**
 * Keras learning-rate schedules ({@code keras/src/optimizers/schedules/learning_rate_schedule.py}, Keras 3.15) as
 * DL4J {@link ISchedule}s, and a factory from Keras' serialized form.
 *
 * <p>Every schedule is evaluated at Keras' {@code optimizer.iterations} before its increment, which is DL4J's
 * {@code iteration} argument (the number of updates done before the current one); the epoch is ignored. Values
 * are computed in float32 with Keras' operation order (Keras builds the schedule from float32 tensors), so they equal
 * the learning rate Keras reports and uses, bit for bit in practice.
 *
 * <p>All classes serialize through ND4J's (shaded) Jackson by their fields with an {@code "@class"} property, like
 * ND4J's own schedules, so an updater carrying one survives a DL4J configuration's JSON.
 */
public final class KerasSchedules {
    private KerasSchedules() {
    }

    /**
     * The schedule of a Keras serialized learning-rate schedule: Keras 3's
     * {@code {"module": "keras.optimizers.schedules", "class_name": ..., "config": {...}, "registered_name": null}} or
     * tf.keras' {@code {"class_name": ..., "config": {...}}}. Supported: ExponentialDecay, InverseTimeDecay,
     * PiecewiseConstantDecay, PolynomialDecay, CosineDecay, CosineDecayRestarts.
     *
     * @throws IllegalArgumentException for an unknown class or a missing/invalid setting
     */
    public static KerasSchedule fromKeras(JsonNode serialized) {
        if (serialized == null || !serialized.isObject() || !serialized.path("class_name").isTextual())
            throw new IllegalArgumentException("not a serialized Keras schedule: " + serialized);
        String className = serialized.get("class_name").asText();
        className = className.substring(className.lastIndexOf('>') + 1);
        JsonNode c = serialized.path("config");
        if (!c.isObject()) throw new IllegalArgumentException(className + ": missing config object");
        return switch (className) {
            case "ExponentialDecay" -> new ExponentialDecay(num(c, "initial_learning_rate"), num(c, "decay_steps"),
                    num(c, "decay_rate"), bool(c, "staircase", false));
            case "InverseTimeDecay" -> new InverseTimeDecay(num(c, "initial_learning_rate"), num(c, "decay_steps"),
                    num(c, "decay_rate"), bool(c, "staircase", false));
            case "PiecewiseConstantDecay" -> new PiecewiseConstantDecay(nums(c, "boundaries"), nums(c, "values"));
            case "PolynomialDecay" -> new PolynomialDecay(num(c, "initial_learning_rate"), num(c, "decay_steps"),
                    num(c, "end_learning_rate", 0.0001), num(c, "power", 1.0), bool(c, "cycle", false));
            case "CosineDecay" -> new CosineDecay(num(c, "initial_learning_rate"), num(c, "decay_steps"),
                    num(c, "alpha", 0.0), c.path("warmup_target").isNumber() ? c.get("warmup_target").asDouble() : null,
                    num(c, "warmup_steps", 0.0));
            case "CosineDecayRestarts" -> new CosineDecayRestarts(num(c, "initial_learning_rate"),
                    num(c, "first_decay_steps"), num(c, "t_mul", 2.0), num(c, "m_mul", 1.0), num(c, "alpha", 0.0));
            default -> throw new IllegalArgumentException("unsupported Keras learning-rate schedule " + className);
        };
    }

    /**
     * Keras 1/2 and tf.keras legacy optimizers' {@code decay} argument (learning-rate decay, not weight decay):
     * {@code lr / (1 + decay·iterations)}, which Keras 3 silently ignores; equals
     * {@code InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)}.
     */
    public static LegacyDecay legacyDecay(double learningRate, double decay) {
        return new LegacyDecay(learningRate, decay);
    }

    private static double num(JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException("schedule setting " + key + " must be a number, got " + v);
        return v.asDouble();
    }

    private static double num(JsonNode c, String key, double dflt) {
        JsonNode v = c.get(key);
        return v == null || v.isNull() ? dflt : num(c, key);
    }

    private static boolean bool(JsonNode c, String key, boolean dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new IllegalArgumentException("schedule setting " + key + " must be a boolean, got " + v);
        return v.asBoolean();
    }

    private static double[] nums(JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || !v.isArray()) throw new IllegalArgumentException("schedule setting " + key + " must be a list, got " + v);
        double[] r = new double[v.size()];
        for (int i = 0; i < r.length; i++) {
            if (!v.get(i).isNumber()) throw new IllegalArgumentException(key + "[" + i + "] must be a number, got " + v.get(i));
            r[i] = v.get(i).asDouble();
        }
        return r;
    }

    private static double positive(String name, double v) {
        if (!(v > 0)) throw new IllegalArgumentException("Argument `" + name + "` must be > 0, got " + v);
        return v;
    }

    /** Base of the Keras schedules: {@link #value(long)} is Keras' float32 value at {@code iterations}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
            creatorVisibility = JsonAutoDetect.Visibility.NONE)
    public abstract static class KerasSchedule implements ISchedule {
        private static final long serialVersionUID = 1L;

        /** The learning rate Keras uses when {@code optimizer.iterations == iterations}. */
        public abstract float value(long iterations);

        /** Fields for equality and toString. */
        protected abstract Object[] parameters();

        /** {@link #value(long)} at DL4J's iteration (the updates done so far); the epoch is not used. */
        @Override
        public final double valueAt(int iteration, int epoch) {
            return value(iteration);
        }

        @Override
        public KerasSchedule clone() {
            try {
                return (KerasSchedule) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o != null && o.getClass() == getClass() && Arrays.deepEquals(parameters(), ((KerasSchedule) o).parameters());
        }

        @Override
        public int hashCode() {
            return Objects.hash(getClass(), Arrays.deepHashCode(parameters()));
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + Arrays.deepToString(parameters());
        }
    }

    /**
     * {@code ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False)}:
     * {@code lr₀·rate^p}, p = step/decay_steps, floored when staircase.
     */
    public static final class ExponentialDecay extends KerasSchedule {
        private static final long serialVersionUID = 1L;
        private double initialLearningRate;
        private double decaySteps;
        private double decayRate;
        private boolean staircase;

        private ExponentialDecay() {
        }

        public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, boolean staircase) {
            this.initialLearningRate = initialLearningRate;
            this.decaySteps = positive("decay_steps", decaySteps);
            this.decayRate = decayRate;
            this.staircase = staircase;
        }

        @Override
        public float value(long iterations) {
            float p = F32.step(iterations) / F32.f(decaySteps);
            if (staircase) p = F32.floor(p);
            return F32.f(initialLearningRate) * F32.pow(F32.f(decayRate), p);
        }

        @Override
        protected Object[] parameters() {
            return new Object[] {initialLearningRate, decaySteps, decayRate, staircase};
        }
    }

    /**
     * {@code InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False)}:
     * {@code lr₀ / (1 + rate·p)}, p = step/decay_steps, floored when staircase.
     */
    public static final class InverseTimeDecay extends KerasSchedule {
        private static final long serialVersionUID = 1L;
        private double initialLearningRate;
        private double decaySteps;
        private double decayRate;
        private boolean staircase;

        private InverseTimeDecay() {
        }

        public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate, boolean staircase) {
            this.initialLearningRate = initialLearningRate;
            this.decaySteps = positive("decay_steps", decaySteps);
            this.decayRate = decayRate;
            this.staircase = staircase;
        }

        @Override
        public float value(long iterations) {
            float p = F32.step(iterations) / F32.f(decaySteps);
            if (staircase) p = F32.floor(p);
            return F32.f(initialLearningRate) / (1f + F32.f(decayRate) * p);
        }

        @Override
        protected Object[] parameters() {
            return new Object[] {initialLearningRate, decaySteps, decayRate, staircase};
        }
    }

    /**
     * The tf.keras legacy {@code decay}: {@code lr / (1 + decay·iterations)} in float32
     * ({@code optimizer_v2.py: _decayed_lr}; standalone Keras 2 computed {@code lr·(1/(1 + decay·iterations))}, which
     * can differ in the last float32 bit).
     */
    public static final class LegacyDecay extends KerasSchedule {
        private static final long serialVersionUID = 1L;
        private double learningRate;
        private double decay;

        private LegacyDecay() {
        }

        public LegacyDecay(double learningRate, double decay) {
            this.learningRate = learningRate;
            this.decay = decay;
        }

        @Override
        public float value(long iterations) {
            return F32.f(learningRate) / (1f + F32.f(decay) * F32.step(iterations));
        }

        @Override
        protected Object[] parameters() {
            return new Object[] {learningRate, decay};
        }
    }

    /**
     * {@code PiecewiseConstantDecay(boundaries, values)}: values[0] while step ≤ boundaries[0], values[i] while
     * boundaries[i−1] &lt; step ≤ boundaries[i], values[n] after the last boundary. As in Keras the boundaries are
     * cast to the (int64) step type, i.e. truncated.
     */
    public static final class PiecewiseConstantDecay extends KerasSchedule {
        private static final long serialVersionUID = 1L;
        private double[] boundaries;
        private double[] values;

        private PiecewiseConstantDecay() {
        }

        public PiecewiseConstantDecay(double[] boundaries, double[] values) {
            if (boundaries.length != values.length - 1)
                throw new IllegalArgumentException("The length of boundaries should be 1 less than the length of values: "
                        + boundaries.length + " boundaries, " + values.length + " values");
            if (boundaries.length == 0) throw new IllegalArgumentException("PiecewiseConstantDecay needs a boundary");
            this.boundaries = boundaries.clone();
            this.values = values.clone();
        }

        /** A Python int stays exact; a Python float becomes float32 and is then truncated to int64. */
        private static long bound(double b) {
            return b == Math.rint(b) ? (long) b : (long) (float) b;
        }

        @Override
        public float value(long step) {
            int n = boundaries.length;
            float r = 0f;
            r += (step <= bound(boundaries[0]) ? 1f : 0f) * F32.f(values[0]);
            r += (step > bound(boundaries[n - 1]) ? 1f : 0f) * F32.f(values[n]);
            for (int i = 0; i + 1 < n; i++) {
                boolean in = step > bound(boundaries[i]) && step <= bound(boundaries[i + 1]);
                r += (in ? 1f : 0f) * F32.f(values[i + 1]);
            }
            return r;
        }

        @Override
        public PiecewiseConstantDecay clone() {
            PiecewiseConstantDecay c = (PiecewiseConstantDecay) super.clone();
            c.boundaries = boundaries.clone();
            c.values = values.clone();
            return c;
        }

        @Override
        protected Object[] parameters() {
            return new Object[] {boundaries, values};
        }
    }

    /**
     * {@code PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False)}:
     * {@code (lr₀ − end)·(1 − s/D)^power + end} with s = min(step, D), or with cycle D = decay_steps·ceil(step/decay_steps)
     * (1 at step 0) and s = step.
     */
    public static final class PolynomialDecay extends KerasSchedule {
        private static final long serialVersionUID = 1L;
        private double initialLearningRate;
        private double decaySteps;
        private double endLearningRate;
        private double power;
        private boolean cycle;

        private PolynomialDecay() {
        }

        public PolynomialDecay(double initialLearningRate, double decaySteps, double endLearningRate, double power,
                               boolean cycle) {
            this.initialLearningRate = initialLearningRate;
            this.decaySteps = positive("decay_steps", decaySteps);
            this.endLearningRate = endLearningRate;
            this.power = power;
            this.cycle = cycle;
        }

        @Override
        public float value(long iterations) {
            float lr = F32.f(initialLearningRate), end = F32.f(endLearningRate);
            float step = F32.step(iterations), d = F32.f(decaySteps);
            if (cycle) {
                float multiplier = step == 0f ? 1f : F32.ceil(step / F32.f(decaySteps));
                d = d * multiplier;
            } else {
                step = Math.min(step, d);
            }
            float p = step / d;
            return (lr - end) * F32.pow(1f - p, F32.f(power)) + end;
        }

        @Override
        protected Object[] parameters() {
            return new Object[] {initialLearningRate, decaySteps, endLearningRate, power, cycle};
        }
    }

    /**
     * {@code CosineDecay(initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0)}.
     * Without warmup: {@code lr₀·((1 − α)·½(1 + cos(π·s/D)) + α)}, s = min(step, D). With warmup_target W:
     * {@code (W − lr₀)·step/warmup_steps + lr₀} while step &lt; warmup_steps, then the decay from W over
     * s = min(step, D + warmup_steps) − warmup_steps.
     */
    public static final class CosineDecay extends KerasSchedule {
        private static final long serialVersionUID = 1L;
        private double initialLearningRate;
        private double decaySteps;
        private double alpha;
        private Double warmupTarget;
        private double warmupSteps;

        private CosineDecay() {
        }

        /** @param warmupTarget null for no warmup (Keras' None) */
        public CosineDecay(double initialLearningRate, double decaySteps, double alpha, Double warmupTarget,
                           double warmupSteps) {
            this.initialLearningRate = initialLearningRate;
            this.decaySteps = positive("decay_steps", decaySteps);
            this.alpha = alpha;
            this.warmupTarget = warmupTarget;
            this.warmupSteps = warmupSteps;
        }

        @Override
        public float value(long iterations) {
            float lr = F32.f(initialLearningRate), d = F32.f(decaySteps), step = F32.step(iterations);
            if (warmupTarget == null) return decay(Math.min(step, d), d, lr);
            float target = F32.f(warmupTarget), w = F32.f(warmupSteps);
            step = Math.min(step, d + w);
            if (step < w) return (target - lr) * (step / w) + lr;
            return decay(step - w, d, target);
        }

        private float decay(float step, float d, float from) {
            float fraction = step / d;
            float cosineDecayed = 0.5f * (1f + F32.cos(F32.f(Math.PI) * fraction));
            float decayed = F32.f(1 - alpha) * cosineDecayed + F32.f(alpha);
            return from * decayed;
        }

        @Override
        protected Object[] parameters() {
            return new Object[] {initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps};
        }
    }

    /**
     * {@code CosineDecayRestarts(initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0)} (SGDR):
     * with f = step/first_decay_steps, the restart i = floor(f) (t_mul = 1) or floor(log(1 − f·(1 − t_mul))/log t_mul),
     * the fraction of the current period c, the value is {@code lr₀·((1 − α)·½·m_mulⁱ·(1 + cos(π·c)) + α)}.
     */
    public static final class CosineDecayRestarts extends KerasSchedule {
        private static final long serialVersionUID = 1L;
        private double initialLearningRate;
        private double firstDecaySteps;
        private double tMul;
        private double mMul;
        private double alpha;

        private CosineDecayRestarts() {
        }

        public CosineDecayRestarts(double initialLearningRate, double firstDecaySteps, double tMul, double mMul,
                                   double alpha) {
            this.initialLearningRate = initialLearningRate;
            this.firstDecaySteps = positive("first_decay_steps", firstDecaySteps);
            this.tMul = tMul;
            this.mMul = mMul;
            this.alpha = alpha;
        }

        @Override
        public float value(long iterations) {
            float lr = F32.f(initialLearningRate), a = F32.f(alpha), t = F32.f(tMul), m = F32.f(mMul);
            float fraction = F32.step(iterations) / F32.f(firstDecaySteps);
            float restart;
            if (t == 1f) {
                restart = F32.floor(fraction);
                fraction = fraction - restart;
            } else {
                restart = F32.floor(F32.log(1f - fraction * (1f - t)) / F32.log(t));
                float sumR = (1f - F32.pow(t, restart)) / (1f - t);
                fraction = (fraction - sumR) / F32.pow(t, restart);
            }
            float mFac = F32.pow(m, restart);
            float cosineDecayed = 0.5f * mFac * (1f + F32.cos(F32.f(Math.PI) * fraction));
            float decayed = (1f - a) * cosineDecayed + a;
            return lr * decayed;
        }

        @Override
        protected Object[] parameters() {
            return new Object[] {initialLearningRate, firstDecaySteps, tMul, mMul, alpha};
        }
    }
}
