package org.kerasport.dl4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * Proof against real Keras: every optimizer configuration of src/test/python/optimizer_trajectories.py is replayed
 * through the Keras-exact updater exactly as DL4J's UpdaterBlock does it (one flat block over all variables,
 * {@code applyUpdater(g, iteration, epoch)}, then DL4J's {@code WeightDecay(wd, applyLR=true)} with the lr DL4J takes
 * from {@code getConfig().getLearningRate(iteration, epoch)}, then {@code params -= update}), and every value after
 * every step must equal Keras' own.
 *
 * <p>Tolerance: every element after every step must be bit-identical to Keras (0 ulps): the updaters use Keras'
 * float32 operations in Keras' order. The one exception is a case with weight decay replayed through DL4J's own
 * {@code WeightDecay}, which rounds differently from Keras (it adds (lr·wd)·w to the update with a double-precision
 * coefficient; Keras first does w −= (w·wd)·lr in float32): {@link #WEIGHT_DECAY_ULPS} float32 ulps of
 * max(1, |value|) and {@link #ABS_BOUND}. The same cases replayed with the decay done in Keras' order at the same
 * POST_UPDATER point ({@link Decay#KERAS_ORDER}) are bit-identical again.
 */
@Tag("interop")
@Tag("trajectory")
class KerasOptimizerTrajectoryTest {
    /**
     * With DL4J's WeightDecay in the loop: max |Δ| from Keras in float32 ulps of max(1, |value|). Each step differs
     * from Keras by rounding only (about one ulp of the largest of w, update and result) and the trajectory carries
     * it on.
     */
    static final int WEIGHT_DECAY_ULPS = 2;
    /** And in any case within the absolute bound asked for plain SGD (the adaptive ones were allowed 2e-6). */
    static final double ABS_BOUND = 1e-6;

    @TestFactory
    Stream<DynamicTest> everyUpdaterReproducesKerasStepByStep() {
        JsonNode cases = KerasTrajectories.data().get("cases");
        assertTrue(cases.size() >= 30, "the script produced " + cases.size() + " cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> replay(c, Decay.DL4J_WEIGHT_DECAY)));
            if (weightDecay(c) != null)
                tests.add(DynamicTest.dynamicTest(name + " (Keras-order decay)", () -> replay(c, Decay.KERAS_ORDER)));
        }
        return tests.stream();
    }

    @Test
    void everyKerasOptimizerIsCovered() {
        List<String> classes = new ArrayList<>();
        KerasTrajectories.data().get("cases").forEach(c -> classes.add(c.get("class_name").asText()));
        for (String k : List.of("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion"))
            assertTrue(classes.contains(k), k + " is not exercised");
    }

    /** How the decoupled weight decay of a case is applied at DL4J's POST_UPDATER point. */
    enum Decay {
        /** DL4J's {@code WeightDecay(wd, applyLR=true)}: update += (lr·wd)·w, then params -= update. */
        DL4J_WEIGHT_DECAY,
        /**
         * What a POST_UPDATER regularization could do instead to match Keras bit for bit: w −= (w·wd)·lr in float32,
         * in place on the parameter view, before DL4J's params -= update (the update does not read w).
         */
        KERAS_ORDER
    }

    static Double weightDecay(JsonNode c) {
        JsonNode wd = c.get("config").get("weight_decay");
        return wd != null && wd.isNumber() ? wd.asDouble() : null;
    }

    /** Replays one case; returns {max |Δ|, max ulps}. */
    static double[] replay(JsonNode c, Decay decay) {
        String name = c.get("name").asText();
        KerasUpdater conf = KerasTrajectories.updater(c.get("class_name").asText(), c.get("config"));
        Double wd = weightDecay(c);
        WeightDecay dl4jWd = wd != null ? new WeightDecay(wd, true) : null;

        float[] init = concat(c.get("variables"), "initial");
        long n = init.length;
        INDArray params = Nd4j.createFromArray(init);
        long stateSize = conf.stateSize(n);
        // DL4J allocates one flat state array for the network and gives each block an interval view of it
        INDArray view = stateSize == 0 ? null : Nd4j.create(DataType.FLOAT, stateSize + 3).get(
                NDArrayIndex.interval(1, 1 + stateSize));
        GradientUpdater<?> u = conf.instantiate(view, true);

        double maxAbs = 0;
        double maxUlps = 0;
        for (JsonNode step : c.get("steps")) {
            int it = step.get("iteration").asInt();
            double lr = conf.getLearningRate(it, 0);
            double wantLr = step.get("learning_rate").asDouble();
            // Keras evaluates the schedule in float32 (a pow or cos, a multiply, a divide and an add at most: 4
            // roundings), Kerasport in double; an off-by-one step or a wrong decay is off by far more
            assertEquals(wantLr, lr, org.kerasport.Tolerances.roundings(4, wantLr), name + ": learning rate at iteration " + it);
            if (step.has("u_product"))                  // Nadam's scalar state, derived from the iteration here
                assertEquals(step.get("u_product").asDouble(), ((KerasNadam) conf).uProduct(it), 0.0, name + ": u_product");
            INDArray g = Nd4j.createFromArray(concat(step.get("gradients")));
            u.applyUpdater(g, it, 0);
            if (wd != null && decay == Decay.DL4J_WEIGHT_DECAY) {
                dl4jWd.apply(params, g, lr, it, 0);   // UpdaterBlock: POST_UPDATER, lr = getConfig().getLearningRate(it, ep)
            } else if (wd != null) {
                params.subi(params.mul((float) (double) wd).muli((float) lr));
            }
            params.subi(g);                             // DL4J's step: params -= update
            float[] want = concat(step.get("after"));
            float[] got = params.toFloatVector();
            for (int i = 0; i < n; i++) {
                double abs = Math.abs((double) got[i] - want[i]);
                double ulps = abs / Math.ulp(Math.max(1f, Math.abs(want[i])));
                // bit-identical, except with DL4J's WeightDecay (rounding, see WEIGHT_DECAY_ULPS)
                double allowed = wd != null && decay == Decay.DL4J_WEIGHT_DECAY ? WEIGHT_DECAY_ULPS : 0.0;
                if (Float.isNaN(got[i]) || ulps > allowed || abs > ABS_BOUND)
                    fail(String.format(Locale.ROOT, "%s: step %d element %d: Java %s, Keras %s (|Δ| %.3g, %.2f ulps of max(1, |value|))",
                            name, it, i, got[i], want[i], abs, ulps));
                maxAbs = Math.max(maxAbs, abs);
                maxUlps = Math.max(maxUlps, ulps);
            }
        }
        System.out.printf(Locale.ROOT, "  %-28s max |Δ| = %.3g (%.2f ulps of max(1, |value|))%s%n", name, maxAbs, maxUlps,
                wd == null ? "" : decay == Decay.DL4J_WEIGHT_DECAY ? "  [DL4J WeightDecay]" : "  [Keras-order decay]");
        return new double[] {maxAbs, maxUlps};
    }

    private static float[] concat(JsonNode vars, String field) {
        List<JsonNode> arrays = new ArrayList<>();
        vars.forEach(v -> arrays.add(v.get(field)));
        return concat(arrays);
    }

    private static float[] concat(JsonNode arrays) {
        List<JsonNode> l = new ArrayList<>();
        arrays.forEach(l::add);
        return concat(l);
    }

    private static float[] concat(List<JsonNode> arrays) {
        int n = 0;
        for (JsonNode a : arrays) n += a.size();
        float[] r = new float[n];
        int k = 0;
        for (JsonNode a : arrays)
            for (JsonNode x : a) {
                double d = x.asDouble();
                r[k] = (float) d;
                if (r[k] != d) throw new AssertionError("not a float32 value: " + d);
                k++;
            }
        return r;
    }
}
