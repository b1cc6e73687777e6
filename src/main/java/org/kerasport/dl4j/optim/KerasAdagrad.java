package org.kerasport.dl4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras {@code Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)}, as
 * {@code keras/src/optimizers/adagrad.py: Adagrad.update_step} (Keras 3.15):
 * <pre>
 *   acc ← acc + g²                     (acc starts at initial_accumulator_value)
 *   w   ← w − lr·g / √(acc + ε)        (ε INSIDE the square root)
 * </pre>
 * DL4J's {@code AdaGrad} starts the accumulator at ε and puts ε outside the root.
 * State: {@code "accumulator"}.
 */
public final class KerasAdagrad extends KerasUpdater {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_LEARNING_RATE = 0.001;

    private double initialAccumulatorValue;
    private double epsilon;

    /** Keras' defaults: {@code Adagrad(0.001, initial_accumulator_value=0.1, epsilon=1e-7)}. */
    public KerasAdagrad() {
        this(DEFAULT_LEARNING_RATE, 0.1, 1e-7);
    }

    public KerasAdagrad(double learningRate, double initialAccumulatorValue, double epsilon) {
        this(learningRate, null, initialAccumulatorValue, epsilon);
    }

    public KerasAdagrad(ISchedule learningRate, double initialAccumulatorValue, double epsilon) {
        this(Double.NaN, Objects.requireNonNull(learningRate, "schedule"), initialAccumulatorValue, epsilon);
    }

    private KerasAdagrad(double learningRate, ISchedule schedule, double initialAccumulatorValue, double epsilon) {
        super(learningRate, schedule);
        this.initialAccumulatorValue = requireNonNegative("initial_accumulator_value", initialAccumulatorValue);
        this.epsilon = requireNonNegative("epsilon", epsilon);
    }

    public double getInitialAccumulatorValue() {
        return initialAccumulatorValue;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public List<String> stateNames() {
        return List.of("accumulator");
    }

    @Override
    protected Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("initial_accumulator_value", initialAccumulatorValue);
        m.put("epsilon", epsilon);
        return m;
    }

    @Override
    protected Updater newUpdater() {
        return new Updater(this);
    }

    @Override
    public KerasAdagrad clone() {
        return (KerasAdagrad) super.clone();
    }

    /** The gradient updater of {@link KerasAdagrad}. */
    public static final class Updater extends KerasGradientUpdater<KerasAdagrad> {
        Updater(KerasAdagrad config) {
            super(config);
        }

        /** Keras' {@code initializers.Constant(initial_accumulator_value)}. */
        @Override
        protected void initialize() {
            slot(0).assign(F32.f(config.initialAccumulatorValue));
        }

        @Override
        protected void step(INDArray g, float lr, long iteration) {
            INDArray acc = slot(0), s = scratch(0, g);
            acc.addi(g.mul(g, s));                                   // acc ← acc + g²
            sqrt(acc.add(F32.f(config.epsilon), s), s);              // √(acc + ε)
            g.muli(lr).divi(s);                                      // u = lr·g / √(acc + ε)
        }
    }
}
