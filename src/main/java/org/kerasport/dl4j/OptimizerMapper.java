package org.kerasport.dl4j;

import java.util.List;
import org.kerasport.UnsupportedItem;
import org.kerasport.dl4j.optim.KerasAdadelta;
import org.kerasport.dl4j.optim.KerasAdagrad;
import org.kerasport.dl4j.optim.KerasAdam;
import org.kerasport.dl4j.optim.KerasAdamax;
import org.kerasport.dl4j.optim.KerasLion;
import org.kerasport.dl4j.optim.KerasNadam;
import org.kerasport.dl4j.optim.KerasRMSprop;
import org.kerasport.dl4j.optim.KerasSGD;
import org.kerasport.dl4j.optim.KerasSchedules;
import org.kerasport.dl4j.optim.KerasUpdater;
import org.kerasport.model.OptimizerSpec;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Keras optimizers as Keras-exact DL4J updaters ({@link org.kerasport.dl4j.optim}) with Keras' defaults for absent
 * hyperparameters, learning-rate schedules and legacy {@code decay}, and {@code clipvalue}. Decoupled
 * {@code weight_decay} is not part of the updater: the importer adds it to every trainable parameter. What cannot be
 * reproduced exactly ({@code global_clipnorm}, EMA, gradient accumulation, unknown classes) is reported. With
 * {@code clipnorm} every variable gets an updater block of its own (see {@link Dl4jImporter}).
 */
public final class OptimizerMapper {
    private OptimizerMapper() {
    }

    public record Mapped(KerasUpdater updater, String description) {
    }

    public static Mapped map(OptimizerSpec o, List<UnsupportedItem> problems) {
        if (o == null) return new Mapped(new KerasSGD(0.01, 0.0, false), "no optimizer in the model: SGD(learning_rate=0.01)");
        ISchedule schedule = null;
        if (o.learningRateSchedule() != null) {
            try {
                schedule = KerasSchedules.fromKeras(o.learningRateSchedule());
            } catch (IllegalArgumentException e) {
                problems.add(new UnsupportedItem("", o.className(), "learning_rate", "learning-rate schedule: " + e.getMessage()));
            }
        } else if (o.legacyDecay() != null && o.legacyDecay() != 0) {
            schedule = KerasSchedules.legacyDecay(lr(o, 0.01), o.legacyDecay());
        }
        KerasUpdater u = build(o, schedule, problems);
        if (u == null) {
            problems.add(new UnsupportedItem("", o.writtenClassName(), "optimizer", "optimizer " + o.className() + " is not supported"));
            u = new KerasSGD(0.01, 0.0, false);
        }
        u.withClipValue(o.clipvalue());
        if (o.clipnorm() != null && o.clipnorm() > 0 && !Double.isInfinite(o.clipnorm())) u.withClipNorm(o.clipnorm());
        unsupportedIfSet(o.globalClipnorm(), o, "global_clipnorm", problems);
        if (Boolean.TRUE.equals(o.config().path("use_ema").asBoolean(false)))
            problems.add(new UnsupportedItem("", o.className(), "use_ema", "exponential moving average of the weights is not supported"));
        if (o.config().hasNonNull("gradient_accumulation_steps"))
            problems.add(new UnsupportedItem("", o.className(), "gradient_accumulation_steps", "gradient accumulation is not supported"));
        return new Mapped(u, u.toString());
    }

    private static KerasUpdater build(OptimizerSpec o, ISchedule s, List<UnsupportedItem> problems) {
        double b1 = d(o.beta1(), 0.9), b2 = d(o.beta2(), 0.999), eps = d(o.epsilon(), 1e-7);
        return switch (o.className()) {
            case "SGD" -> s != null ? new KerasSGD(s, d(o.momentum(), 0), b(o.nesterov()))
                    : new KerasSGD(lr(o, 0.01), d(o.momentum(), 0), b(o.nesterov()));
            case "Adam", "AdamW" -> s != null ? new KerasAdam(s, b1, b2, eps, b(o.amsgrad()))
                    : new KerasAdam(lr(o, 0.001), b1, b2, eps, b(o.amsgrad()));
            case "RMSprop" -> s != null ? new KerasRMSprop(s, d(o.rho(), 0.9), d(o.momentum(), 0), eps, b(o.centered()))
                    : new KerasRMSprop(lr(o, 0.001), d(o.rho(), 0.9), d(o.momentum(), 0), eps, b(o.centered()));
            case "Adagrad" -> s != null ? new KerasAdagrad(s, d(o.initialAccumulatorValue(), 0.1), eps)
                    : new KerasAdagrad(lr(o, 0.001), d(o.initialAccumulatorValue(), 0.1), eps);
            case "Adadelta" -> s != null ? new KerasAdadelta(s, d(o.rho(), 0.95), eps) : new KerasAdadelta(lr(o, 0.001), d(o.rho(), 0.95), eps);
            case "Adamax" -> s != null ? new KerasAdamax(s, b1, b2, eps) : new KerasAdamax(lr(o, 0.001), b1, b2, eps);
            case "Nadam" -> s != null ? new KerasNadam(s, b1, b2, eps) : new KerasNadam(lr(o, 0.001), b1, b2, eps);
            case "Lion" -> s != null ? new KerasLion(s, b1, d(o.beta2(), 0.99)) : new KerasLion(lr(o, 0.001), b1, d(o.beta2(), 0.99));
            default -> null;
        };
    }

    private static double lr(OptimizerSpec o, double dflt) {
        return o.learningRate() == null ? dflt : o.learningRate();
    }

    private static double d(Double v, double dflt) {
        return v == null ? dflt : v;
    }

    private static boolean b(Boolean v) {
        return v != null && v;
    }

    private static void unsupportedIfSet(Double v, OptimizerSpec o, String field, List<UnsupportedItem> problems) {
        if (v != null && v > 0 && !Double.isInfinite(v))
            problems.add(new UnsupportedItem("", o.className(), field, field + " clips the norm of all gradients together, "
                    + "which DL4J's per-block updaters cannot reproduce exactly yet (clipnorm and clipvalue are supported)"));
    }
}
