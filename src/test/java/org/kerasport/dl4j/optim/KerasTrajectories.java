package org.kerasport.dl4j.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.kerasport.TestSupport;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The real-Keras reference data of src/test/python/optimizer_trajectories.py, generated with the interop venv's Python
 * (system property {@code kerasport.python}, default ~/.cache/kerasport/venv/bin/python; TF_CPP_MIN_LOG_LEVEL=3) once
 * per script version (TestSupport.fixture), and the mapping of a Keras optimizer config onto the Keras-exact
 * updaters.
 */
final class KerasTrajectories {
    private static JsonNode data;

    private KerasTrajectories() {
    }

    /** The script's output: {keras_version, cases: [...], schedules: [...]}. Runs the venv Python on first use. */
    static synchronized JsonNode data() {
        if (data != null) return data;
        try {
            data = new ObjectMapper().readTree(TestSupport.fixture("optimizer_trajectories.py", 600).resolve("trajectories.json").toFile());
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Keras-exact updater for a Keras 3 optimizer {@code get_config()} (weight decay is not part of it). */
    static KerasUpdater updater(String className, JsonNode c) {
        JsonNode lrNode = c.get("learning_rate");
        ISchedule schedule = lrNode.isObject() ? KerasSchedules.fromKeras(lrNode) : null;
        double lr = lrNode.isNumber() ? lrNode.asDouble() : Double.NaN;
        return switch (className) {
            case "SGD" -> schedule != null
                    ? new KerasSGD(schedule, d(c, "momentum"), c.get("nesterov").asBoolean())
                    : new KerasSGD(lr, d(c, "momentum"), c.get("nesterov").asBoolean());
            case "Adam", "AdamW" -> schedule != null
                    ? new KerasAdam(schedule, d(c, "beta_1"), d(c, "beta_2"), d(c, "epsilon"), c.get("amsgrad").asBoolean())
                    : new KerasAdam(lr, d(c, "beta_1"), d(c, "beta_2"), d(c, "epsilon"), c.get("amsgrad").asBoolean());
            case "RMSprop" -> schedule != null
                    ? new KerasRMSprop(schedule, d(c, "rho"), d(c, "momentum"), d(c, "epsilon"), c.get("centered").asBoolean())
                    : new KerasRMSprop(lr, d(c, "rho"), d(c, "momentum"), d(c, "epsilon"), c.get("centered").asBoolean());
            case "Adagrad" -> schedule != null
                    ? new KerasAdagrad(schedule, d(c, "initial_accumulator_value"), d(c, "epsilon"))
                    : new KerasAdagrad(lr, d(c, "initial_accumulator_value"), d(c, "epsilon"));
            case "Adadelta" -> schedule != null
                    ? new KerasAdadelta(schedule, d(c, "rho"), d(c, "epsilon"))
                    : new KerasAdadelta(lr, d(c, "rho"), d(c, "epsilon"));
            case "Adamax" -> schedule != null
                    ? new KerasAdamax(schedule, d(c, "beta_1"), d(c, "beta_2"), d(c, "epsilon"))
                    : new KerasAdamax(lr, d(c, "beta_1"), d(c, "beta_2"), d(c, "epsilon"));
            case "Nadam" -> schedule != null
                    ? new KerasNadam(schedule, d(c, "beta_1"), d(c, "beta_2"), d(c, "epsilon"))
                    : new KerasNadam(lr, d(c, "beta_1"), d(c, "beta_2"), d(c, "epsilon"));
            case "Lion" -> schedule != null
                    ? new KerasLion(schedule, d(c, "beta_1"), d(c, "beta_2"))
                    : new KerasLion(lr, d(c, "beta_1"), d(c, "beta_2"));
            default -> throw new IllegalArgumentException("no Keras-exact updater for " + className);
        };
    }

    private static double d(JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException(key + " missing in " + c);
        return v.asDouble();
    }
}
