package org.kerasport.dl4j.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras {@code RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)}, as
 * {@code keras/src/optimizers/rmsprop.py: RMSprop.update_step} (Keras 3.15):
 * <pre>
 *   v ← ρ·v + (1 − ρ)·g²
 *   centered:   a ← ρ·a + (1 − ρ)·g;  d ← v − a² + ε
 *   otherwise:  d ← v + ε                         (ε INSIDE the square root)
 *   inc ← lr·g / √d
 *   momentum > 0:  p ← μ·p + inc;  w ← w − p
 *   otherwise:     w ← w − inc
 * </pre>
 * DL4J's {@code RmsProp} puts ε outside the root, has no momentum/centered form and starts the cache at ε.
 * State, in Keras' order: {@code "velocity"}, {@code "momentum"} (momentum &gt; 0), {@code "average_gradient"}
 * (centered); zeros initially.
 */
public final class KerasRMSprop extends KerasUpdater {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_LEARNING_RATE = 0.001;

    private double rho;
    private double momentum;
    private double epsilon;
    private boolean centered;

    /** Keras' defaults: {@code RMSprop(0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)}. */
    public KerasRMSprop() {
        this(DEFAULT_LEARNING_RATE, 0.9, 0.0, 1e-7, false);
    }

    public KerasRMSprop(double learningRate, double rho, double momentum, double epsilon, boolean centered) {
        this(learningRate, null, rho, momentum, epsilon, centered);
    }

    public KerasRMSprop(ISchedule learningRate, double rho, double momentum, double epsilon, boolean centered) {
        this(Double.NaN, Objects.requireNonNull(learningRate, "schedule"), rho, momentum, epsilon, centered);
    }

    private KerasRMSprop(double learningRate, ISchedule schedule, double rho, double momentum, double epsilon,
                         boolean centered) {
        super(learningRate, schedule);
        this.rho = rho;
        this.momentum = requireNonNegative("momentum", momentum);
        this.epsilon = requireNonNegative("epsilon", epsilon);
        this.centered = centered;
    }

    public double getRho() {
        return rho;
    }

    public double getMomentum() {
        return momentum;
    }

    public double getEpsilon() {
        return epsilon;
    }

    public boolean isCentered() {
        return centered;
    }

    @Override
    public List<String> stateNames() {
        List<String> n = new ArrayList<>(List.of("velocity"));
        if (momentum > 0) n.add("momentum");
        if (centered) n.add("average_gradient");
        return List.copyOf(n);
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rho", rho);
        m.put("momentum", momentum);
        m.put("epsilon", epsilon);
        m.put("centered", centered);
        return m;
    }

    @Override
    protected Updater newUpdater() {
        return new Updater(this);
    }

    @Override
    public KerasRMSprop clone() {
        return (KerasRMSprop) super.clone();
    }

    /** The gradient updater of {@link KerasRMSprop}. */
    public static final class Updater extends KerasGradientUpdater<KerasRMSprop> {
        Updater(KerasRMSprop config) {
            super(config);
        }

        @Override
        protected void step(INDArray g, float lr, long iteration) {
            KerasRMSprop c = config;
            float rho = F32.f(c.rho), oneMinusRho = F32.f(1 - c.rho), eps = F32.f(c.epsilon);
            INDArray velocity = slot(0), s = scratch(0, g);
            velocity.muli(rho).addi(g.mul(g, s).muli(oneMinusRho));        // v ← ρ·v + (1 − ρ)·g²
            if (c.centered) {
                INDArray avg = slot(c.momentum > 0 ? 2 : 1);
                avg.muli(rho).addi(g.mul(oneMinusRho, s));                 // a ← ρ·a + (1 − ρ)·g
                avg.mul(avg, s).rsubi(velocity).addi(eps);                 // d = v − a² + ε
            } else {
                velocity.add(eps, s);                                      // d = v + ε
            }
            g.muli(lr).divi(sqrt(s, s));                                   // inc = lr·g / √d
            if (c.momentum > 0) {
                INDArray p = slot(1);
                p.muli(F32.f(c.momentum)).addi(g);                         // p ← μ·p + inc
                g.assign(p);                                               // u = p
            }
        }
    }
}
