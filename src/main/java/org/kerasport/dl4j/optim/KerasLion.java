package org.kerasport.dl4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras {@code Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99)}, as
 * {@code keras/src/optimizers/lion.py: Lion.update_step} (Keras 3.15):
 * <pre>
 *   w ← w − lr·sign(m·β₁ + g·(1 − β₁))
 *   m ← m·β₂ + g·(1 − β₂)
 * </pre>
 * DL4J has no Lion. State: {@code "momentum"} (zeros initially).
 */
public final class KerasLion extends KerasUpdater {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_LEARNING_RATE = 0.001;

    private double beta1;
    private double beta2;

    /** Keras' defaults: {@code Lion(0.001, beta_1=0.9, beta_2=0.99)}. */
    public KerasLion() {
        this(DEFAULT_LEARNING_RATE, 0.9, 0.99);
    }

    public KerasLion(double learningRate, double beta1, double beta2) {
        this(learningRate, null, beta1, beta2);
    }

    public KerasLion(ISchedule learningRate, double beta1, double beta2) {
        this(Double.NaN, Objects.requireNonNull(learningRate, "schedule"), beta1, beta2);
    }

    private KerasLion(double learningRate, ISchedule schedule, double beta1, double beta2) {
        super(learningRate, schedule);
        // Keras rejects beta_1 <= 0 or > 1 (the optimizer would degenerate to SignSGD)
        if (!(beta1 > 0 && beta1 <= 1)) throw new IllegalArgumentException("beta_1 must be in (0, 1], got " + beta1);
        this.beta1 = beta1;
        this.beta2 = beta2;
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    @Override
    public List<String> stateNames() {
        return List.of("momentum");
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("beta_1", beta1);
        m.put("beta_2", beta2);
        return m;
    }

    @Override
    protected Updater newUpdater() {
        return new Updater(this);
    }

    @Override
    public KerasLion clone() {
        return (KerasLion) super.clone();
    }

    /** The gradient updater of {@link KerasLion}. */
    public static final class Updater extends KerasGradientUpdater<KerasLion> {
        Updater(KerasLion config) {
            super(config);
        }

        @Override
        protected void step(INDArray g, float lr, long iteration) {
            float beta1 = F32.f(config.beta1), beta2 = F32.f(config.beta2);
            INDArray m = slot(0), c = scratch(0, g), s = scratch(1, g);
            m.mul(beta1, c).addi(g.mul(1f - beta1, s));    // m·β₁ + g·(1 − β₁)
            Transforms.sign(c, false);
            m.muli(beta2).addi(g.mul(1f - beta2, s));      // m ← m·β₂ + g·(1 − β₂)
            c.mul(lr, g);                                  // u = lr·sign(...)
        }
    }
}
