package org.kerasport.dl4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras {@code Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)}, as
 * {@code keras/src/optimizers/adadelta.py: Adadelta.update_step} (Keras 3.15), with rms(x) = √(x + ε):
 * <pre>
 *   Eg ← ρ·Eg + (1 − ρ)·g²
 *   Δ  ← −rms(Ed)·g / rms(Eg)
 *   Ed ← ρ·Ed + (1 − ρ)·Δ²
 *   w  ← w + lr·Δ
 * </pre>
 * DL4J's {@code AdaDelta} has no learning rate (it is Keras with lr = 1).
 * State: {@code "accumulated_grad"}, {@code "accumulated_delta_var"} (zeros initially).
 */
public final class KerasAdadelta extends KerasUpdater {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_LEARNING_RATE = 0.001;

    private double rho;
    private double epsilon;

    /** Keras' defaults: {@code Adadelta(0.001, rho=0.95, epsilon=1e-7)}. */
    public KerasAdadelta() {
        this(DEFAULT_LEARNING_RATE, 0.95, 1e-7);
    }

    public KerasAdadelta(double learningRate, double rho, double epsilon) {
        this(learningRate, null, rho, epsilon);
    }

    public KerasAdadelta(ISchedule learningRate, double rho, double epsilon) {
        this(Double.NaN, Objects.requireNonNull(learningRate, "schedule"), rho, epsilon);
    }

    private KerasAdadelta(double learningRate, ISchedule schedule, double rho, double epsilon) {
        super(learningRate, schedule);
        this.rho = rho;
        this.epsilon = requireNonNegative("epsilon", epsilon);
    }

    public double getRho() {
        return rho;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public List<String> stateNames() {
        return List.of("accumulated_grad", "accumulated_delta_var");
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rho", rho);
        m.put("epsilon", epsilon);
        return m;
    }

    @Override
    protected Updater newUpdater() {
        return new Updater(this);
    }

    @Override
    public KerasAdadelta clone() {
        return (KerasAdadelta) super.clone();
    }

    /** The gradient updater of {@link KerasAdadelta}. */
    public static final class Updater extends KerasGradientUpdater<KerasAdadelta> {
        Updater(KerasAdadelta config) {
            super(config);
        }

        @Override
        protected void step(INDArray g, float lr, long iteration) {
            float rho = F32.f(config.rho), oneMinusRho = F32.f(1 - config.rho), eps = F32.f(config.epsilon);
            INDArray eg = slot(0), ed = slot(1), q = scratch(0, g);
            eg.muli(rho).addi(g.mul(g, q).muli(oneMinusRho));    // Eg ← ρ·Eg + (1 − ρ)·g²
            sqrt(ed.add(eps, q), q).muli(g);                     // rms(Ed)·g
            q.divi(sqrt(eg.add(eps, g), g));                     // q = rms(Ed)·g / rms(Eg) = −Δ   (g is free now)
            ed.muli(rho).addi(q.mul(q, g).muli(oneMinusRho));    // Ed ← ρ·Ed + (1 − ρ)·Δ²
            q.mul(lr, g);                                        // u = lr·q = −lr·Δ
        }
    }
}
