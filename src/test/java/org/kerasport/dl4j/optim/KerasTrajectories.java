package org.kerasport.dl4j.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.kerasport.TestSupport;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The real-Keras reference data of src/test/python/optimizer_trajectories.py, generated with the interop venv's Python
 * (system property {@code kerasport.python}, default ~/.cache/kerasport/venv/bin/python; TF_CPP_MIN_LOG_LEVEL=3) once
 * per script version (cached under target/interop/), and the mapping of a Keras optimizer config onto the Keras-exact
 * updaters.
 */
final class KerasTrajectories {
    static final Path SCRIPT = Path.of("src/test/python/optimizer_trajectories.py").toAbsolutePath();
    private static JsonNode data;

    private KerasTrajectories() {
    }

    /** The script's output: {keras_version, cases: [...], schedules: [...]}. Runs the venv Python on first use. */
    static synchronized JsonNode data() {
        if (data != null) return data;
        TestSupport.python(); // the real-Keras Python must be there (fails, never skips), even with cached output
        try {
            byte[] script = Files.readAllBytes(SCRIPT);
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(script)).substring(0, 16);
            Path dir = Path.of("target", "interop").toAbsolutePath();
            Path out = dir.resolve("optimizer-trajectories-" + hash + ".json");
            if (!Files.exists(out)) {
                Files.createDirectories(dir);
                Path tmp = dir.resolve(out.getFileName() + ".tmp");
                TestSupport.runPython(dir, 600, SCRIPT.toString(), tmp.toString());
                Files.move(tmp, out);
            }
            data = new ObjectMapper().readTree(out.toFile());
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
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
