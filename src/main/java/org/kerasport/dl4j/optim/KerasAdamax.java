package org.kerasport.dl4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras {@code Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}, as
 * {@code keras/src/optimizers/adamax.py: Adamax.update_step} (Keras 3.15), with t = iterations + 1:
 * <pre>
 *   m ← m + (g − m)·(1 − β₁)
 *   u ← max(β₂·u, |g|)
 *   w ← w − lr·m / ((1 − β₁ᵗ)·(u + ε))
 * </pre>
 * DL4J's {@code AdaMax} adds ε inside the max and has ε default 1e-8.
 * State: {@code "momentum"}, {@code "norm"} (zeros initially).
 */
public final class KerasAdamax extends KerasUpdater {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_LEARNING_RATE = 0.001;

    private double beta1;
    private double beta2;
    private double epsilon;

    /** Keras' defaults: {@code Adamax(0.001, 0.9, 0.999, 1e-7)}. */
    public KerasAdamax() {
        this(DEFAULT_LEARNING_RATE, 0.9, 0.999, 1e-7);
    }

    public KerasAdamax(double learningRate, double beta1, double beta2, double epsilon) {
        this(learningRate, null, beta1, beta2, epsilon);
    }

    public KerasAdamax(ISchedule learningRate, double beta1, double beta2, double epsilon) {
        this(Double.NaN, Objects.requireNonNull(learningRate, "schedule"), beta1, beta2, epsilon);
    }

    private KerasAdamax(double learningRate, ISchedule schedule, double beta1, double beta2, double epsilon) {
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

    @Override
    public List<String> stateNames() {
        return List.of("momentum", "norm");
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
    public KerasAdamax clone() {
        return (KerasAdamax) super.clone();
    }

    /** The gradient updater of {@link KerasAdamax}. */
    public static final class Updater extends KerasGradientUpdater<KerasAdamax> {
        Updater(KerasAdamax config) {
            super(config);
        }

        @Override
        protected void step(INDArray g, float lr, long iteration) {
            KerasAdamax c = config;
            float beta1Power = F32.pow(F32.f(c.beta1), F32.step(iteration + 1));
            INDArray m = slot(0), u = slot(1), s = scratch(0, g);
            m.addi(g.sub(m, s).muli(F32.f(1 - c.beta1)));      // m ← m + (g − m)·(1 − β₁)
            u.muli(F32.f(c.beta2));
            Nd4j.exec(new Max(u, Nd4j.exec(new Abs(g, s)), u)); // u ← max(β₂·u, |g|)
            u.add(F32.f(c.epsilon), s).muli(1f - beta1Power);   // (1 − β₁ᵗ)·(u + ε)
            m.mul(lr, g).divi(s);                               // u = lr·m / ((1 − β₁ᵗ)·(u + ε))
        }
    }
}
