package org.kerasport.dl4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras {@code SGD(learning_rate=0.01, momentum=0.0, nesterov=False)}, as {@code keras/src/optimizers/sgd.py:
 * SGD.update_step} (Keras 3.15):
 * <pre>
 *   momentum == 0:  w ← w − g·lr
 *   otherwise:      m ← m·μ − g·lr
 *                   w ← w + m                  (nesterov=False)
 *                   w ← w + (m·μ − g·lr)       (nesterov=True, with the new m)
 * </pre>
 * DL4J's {@code Nesterovs} has no plain-momentum form and a different sign/ordering, hence this class.
 * State: {@code "momentum"} (only when momentum ≠ 0; zeros initially).
 */
public final class KerasSGD extends KerasUpdater {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_LEARNING_RATE = 0.01;

    private double momentum;
    private boolean nesterov;

    /** Keras' defaults: {@code SGD(0.01, momentum=0.0, nesterov=False)}. */
    public KerasSGD() {
        this(DEFAULT_LEARNING_RATE, 0.0, false);
    }

    public KerasSGD(double learningRate, double momentum, boolean nesterov) {
        this(learningRate, null, momentum, nesterov);
    }

    public KerasSGD(ISchedule learningRate, double momentum, boolean nesterov) {
        this(Double.NaN, java.util.Objects.requireNonNull(learningRate, "schedule"), momentum, nesterov);
    }

    private KerasSGD(double learningRate, ISchedule schedule, double momentum, boolean nesterov) {
        super(learningRate, schedule);
        this.momentum = requireInRange("momentum", momentum, 0, 1);
        this.nesterov = nesterov;
    }

    public double getMomentum() {
        return momentum;
    }

    public boolean isNesterov() {
        return nesterov;
    }

    @Override
    public List<String> stateNames() {
        return momentum != 0 ? List.of("momentum") : List.of();
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("momentum", momentum);
        m.put("nesterov", nesterov);
        return m;
    }

    @Override
    protected Updater newUpdater() {
        return new Updater(this);
    }

    @Override
    public KerasSGD clone() {
        return (KerasSGD) super.clone();
    }

    /** The gradient updater of {@link KerasSGD}. */
    public static final class Updater extends KerasGradientUpdater<KerasSGD> {
        Updater(KerasSGD config) {
            super(config);
        }

        @Override
        protected void step(INDArray g, float lr, long iteration) {
            g.muli(lr);                                    // g·lr
            if (config.momentum == 0) return;              // w ← w − g·lr
            float mu = F32.f(config.momentum);
            INDArray m = slot(0);
            m.muli(mu).subi(g);                            // m ← m·μ − g·lr
            if (config.nesterov) {
                INDArray s = scratch(0, g);
                m.mul(mu, s);
                g.subi(s);                                 // u = g·lr − m·μ = −(m·μ − g·lr)
            } else {
                m.mul(-1f, g);                             // u = −m
            }
        }
    }
}
