package org.kerasport.dl4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras {@code Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}, as
 * {@code keras/src/optimizers/nadam.py: Nadam._backend_update_step} and {@code Nadam.update_step} (Keras 3.15), with
 * t = iterations + 1 and the momentum schedule μ(s) = β₁·(1 − 0.5·0.96ˢ):
 * <pre>
 *   Π_t ← Π_{t−1}·μ(t)     (Keras' scalar variable u_product, Π_0 = 1)
 *   m ← m + (g − m)·(1 − β₁)
 *   v ← v + (g² − v)·(1 − β₂)
 *   m̂ ← μ(t+1)·m / (1 − Π_t·μ(t+1)) + (1 − μ(t))·g / (1 − Π_t)
 *   v̂ ← v / (1 − β₂ᵗ)
 *   w ← w − m̂·lr / (√v̂ + ε)
 * </pre>
 * DL4J's {@code Nadam} has no momentum schedule. Π_t depends only on β₁ and t; it is recomputed (as the same float32
 * running product Keras keeps) from the iteration, so it is not part of the DL4J state (Keras stores it as the
 * optimizer variable {@code u_product}; with the same iterations it has the same value).
 * State: {@code "momentum"}, {@code "velocity"} (zeros initially).
 */
public final class KerasNadam extends KerasUpdater {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_LEARNING_RATE = 0.001;

    private double beta1;
    private double beta2;
    private double epsilon;

    /** Keras' defaults: {@code Nadam(0.001, 0.9, 0.999, 1e-7)}. */
    public KerasNadam() {
        this(DEFAULT_LEARNING_RATE, 0.9, 0.999, 1e-7);
    }

    public KerasNadam(double learningRate, double beta1, double beta2, double epsilon) {
        this(learningRate, null, beta1, beta2, epsilon);
    }

    public KerasNadam(ISchedule learningRate, double beta1, double beta2, double epsilon) {
        this(Double.NaN, Objects.requireNonNull(learningRate, "schedule"), beta1, beta2, epsilon);
    }

    private KerasNadam(double learningRate, ISchedule schedule, double beta1, double beta2, double epsilon) {
        super(learningRate, schedule);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = requireNonNegative("epsilon", epsilon);
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    public double getEpsilon() {
        return epsilon;
    }

    /**
     * Keras' {@code u_product} after the step taken at {@code iterations} (Π_{iterations+1}), as the float32 running
     * product Keras accumulates.
     */
    public float uProduct(long iterations) {
        return uProduct(1f, 0, iterations + 1);
    }

    /** Π_to, continuing from {@code product} = Π_from. */
    float uProduct(float product, long from, long to) {
        float beta1f = F32.f(beta1), decay = F32.f(0.96);
        float p = product;
        for (long s = from + 1; s <= to && p != 0f; s++)
            p = p * beta1f * (1f - 0.5f * F32.pow(decay, F32.step(s)));
        return p;
    }

    @Override
    public List<String> stateNames() {
        return List.of("momentum", "velocity");
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("beta_1", beta1);
        m.put("beta_2", beta2);
        m.put("epsilon", epsilon);
        return m;
    }

    @Override
    protected Updater newUpdater() {
        return new Updater(this);
    }

    @Override
    public KerasNadam clone() {
        return (KerasNadam) super.clone();
    }

    /** The gradient updater of {@link KerasNadam}. */
    public static final class Updater extends KerasGradientUpdater<KerasNadam> {
        private long productT;        // Π_productT is cached in product (productT = 0: Π_0 = 1)
        private float product = 1f;

        Updater(KerasNadam config) {
            super(config);
        }

        /** Π_t, extending the cached running product when t moves forward (the usual case). */
        private float uProductAt(long t) {
            if (t < productT) {
                productT = 0;
                product = 1f;
            }
            product = config.uProduct(product, productT, t);
            productT = t;
            return product;
        }

        @Override
        protected void step(INDArray g, float lr, long iteration) {
            KerasNadam c = config;
            float t = F32.step(iteration + 1), next = F32.step(iteration + 2), decay = F32.f(0.96);
            float beta1 = F32.f(c.beta1), beta2 = F32.f(c.beta2);
            float uT = beta1 * (1f - 0.5f * F32.pow(decay, t));
            float uT1 = beta1 * (1f - 0.5f * F32.pow(decay, next));
            float uProductT = uProductAt(iteration + 1);
            float uProductT1 = uProductT * uT1;
            float beta2Power = F32.pow(beta2, t);
            INDArray m = slot(0), v = slot(1), s = scratch(0, g);
            m.addi(g.sub(m, s).muli(1f - beta1));                  // m ← m + (g − m)·(1 − β₁)
            v.addi(g.mul(g, s).subi(v).muli(1f - beta2));          // v ← v + (g² − v)·(1 − β₂)
            g.muli(1f - uT).divi(1f - uProductT);                  // (1 − μ(t))·g / (1 − Π_t)
            g.addi(m.mul(uT1, s).divi(1f - uProductT1));           // m̂ = μ(t+1)·m / (1 − Π_t·μ(t+1)) + ...
            g.muli(lr);                                            // m̂·lr
            sqrt(v.div(1f - beta2Power, s), s).addi(F32.f(c.epsilon));  // √v̂ + ε
            g.divi(s);                                             // u = m̂·lr / (√v̂ + ε)
        }
    }
}
