package org.kerasport.model;

import java.math.BigDecimal;

/** An optimizer as people read it (inspect, convert, finetune print it the same way). */
public final class OptimizerText {
    private OptimizerText() {
    }

    /** An optimizer with its hyperparameters and weight decay, for people (inspect, convert, finetune). */
    public static String of(OptimizerSpec o) {
        StringBuilder sb = new StringBuilder(o.className());
        if (!o.writtenClassName().equals(o.className())) sb.append(" (written as ").append(o.writtenClassName()).append(')');
        sb.append("  learning_rate=").append(o.learningRate() != null ? num(o.learningRate())
                : o.learningRateSchedule() != null ? schedule(o.learningRateSchedule()) : "default");
        String[] names = {"momentum", "nesterov", "beta_1", "beta_2", "epsilon", "amsgrad", "rho", "centered",
                "initial_accumulator_value", "clipnorm", "clipvalue", "global_clipnorm"};
        Object[] vals = {o.momentum(), o.nesterov(), o.beta1(), o.beta2(), o.epsilon(), o.amsgrad(), o.rho(), o.centered(),
                o.initialAccumulatorValue(), o.clipnorm(), o.clipvalue(), o.globalClipnorm()};
        for (int i = 0; i < names.length; i++)
            if (vals[i] != null) sb.append(' ').append(names[i]).append('=').append(vals[i] instanceof Double d ? num(d) : vals[i]);
        sb.append("\n           weight decay: ").append(o.weightDecay() == null || o.weightDecay() == 0 ? "none"
                : num(o.weightDecay()) + " (decoupled: w <- w - lr*wd*w before each update, every trainable variable)");
        if (o.legacyDecay() != null && o.legacyDecay() != 0)
            sb.append("\n           legacy decay ").append(num(o.legacyDecay())).append(": learning-rate decay lr/(1 + decay*t), not weight decay");
        return sb.toString();
    }

    /** A schedule as class name and compact config, as written ({@code ExponentialDecay{"initial_learning_rate":...}}). */
    private static String schedule(com.fasterxml.jackson.databind.JsonNode s) {
        var cls = s.get("class_name");
        var cfg = s.get("config");
        return (cls == null || cls.isNull() ? null : cls.asText()) + (cfg == null ? "null" : cfg.toString());
    }

    /** A hyperparameter as people read it: float32 values in their shortest form, no trailing zeros. */
    public static String num(double v) {
        if (v == 0) return "0";
        // a float32 value (Keras stores many hyperparameters through float32) reads best in float32's shortest form
        String shortest = (double) (float) v == v ? Float.toString((float) v) : Double.toString(v);
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e7) return new BigDecimal(shortest).stripTrailingZeros().toPlainString();
        return new BigDecimal(shortest).stripTrailingZeros().toString().replace("E", "e");
    }
}
