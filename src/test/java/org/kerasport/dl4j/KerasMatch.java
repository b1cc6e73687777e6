package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.kerasport.Tolerances;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kerasport's graph against real Keras' numbers, with the tolerances of {@link Tolerances}: predictions, and
 * training trajectories step by step. Shared by every test that compares with Keras so the derivation lives once.
 *
 * <ul>
 *   <li>Prediction: floor + between(n, max|want|), n = the graph's reduction length (no batch term: inference
 *       does not sum over the batch). For random-sign terms the partial sums of each output are of the size of the
 *       outputs, so max|want| is the magnitude the rounding errors scale with; the floor covers outputs that cancel.</li>
 *   <li>Loss of step k: floor + steps(k + 1, between(n, |loss|)), n including the batch (the loss averages it, the
 *       gradients sum over it) and the parameter count (the weight penalty sums every weight).</li>
 *   <li>A weight after step k: floor + Σ over steps j ≤ k of [roundings(1, max|w_j|) (the update's own addition)
 *       + between(n, max|w_j − w_{j−1}|) (the update carries its gradient's relative error)], with w_{−1} the
 *       imported (file) weights (Kerasport's w_{j−1} stands for Keras's: they differ by
 *       far less than the update): errors add step by step.</li>
 * </ul>
 */
public final class KerasMatch {
    private final ImportedModel im;
    private final double lossFloor, weightFloor;
    private final Map<String, INDArray> previous = new HashMap<>();
    private final Map<String, Double> accumulated = new HashMap<>();
    private int step;

    /**
     * @param lossFloor   absolute floor for losses (a case's documented "loss_abs", else 0)
     * @param weightFloor absolute floor for weights (a case's documented "train_abs", else 0)
     */
    public KerasMatch(ImportedModel im, double lossFloor, double weightFloor) {
        this.im = im;
        this.lossFloor = lossFloor;
        this.weightFloor = weightFloor;
        for (WeightBinding b : im.bindings()) previous.put(key(b), param(b).dup());
    }

    /** Kerasport's predictions equal Keras's {@code want} (one per output) within the prediction bound. */
    public static void assertPredicts(ImportedModel im, INDArray[] x, INDArray[] want, double floor, String what) {
        INDArray[] got = im.graph().output(false, x);
        long n = Tolerances.reductionLength(im.graph());
        for (int k = 0; k < want.length; k++) assertOutput(n, want[k], got[k], floor, what + " output " + k);
    }

    /** The reduction length of the model in a Keras file, imported for inference (Tolerances.reductionLength). */
    public static long reductionLength(java.nio.file.Path kerasFile) {
        return Tolerances.reductionLength(Dl4jImporter.importModel(org.kerasport.format.KerasReader.read(kerasFile), false).graph());
    }

    /** One output array of a graph of reduction length n (Tolerances.reductionLength) against Keras's. */
    public static void assertOutput(long n, INDArray want, INDArray got, double floor, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        assertMaxDiff(want, got, floor + Tolerances.between(n, Tolerances.maxAbs(want)), what);
    }

    /** max |want − got| <= tol, with the figures in the message. */
    public static void assertMaxDiff(INDArray want, INDArray got, double tol, String what) {
        double diff = want.castTo(got.dataType()).sub(got).amaxNumber().doubleValue();
        assertTrue(Tolerances.observe(what, diff, tol), what + ": max |diff| " + diff + " > tolerance " + tol + " (max |want| " + Tolerances.maxAbs(want) + ")");
    }

    /** The tolerance for a loss after {@code steps} steps of a graph whose pass has reduction length n. */
    public static double lossTolerance(double floor, long n, int steps, double loss) {
        return floor + Tolerances.steps(steps, Tolerances.between(n, Math.abs(loss)));
    }

    /**
     * The reduction length of a training step of {@code im}'s graph on a batch of {@code batchElements} input values:
     * the pass's, plus the weight penalty's sum over every parameter.
     */
    public static long trainingLength(ImportedModel im, long batchElements) {
        return Tolerances.reductionLength(im.graph()) + batchElements + im.graph().numParams();
    }

    /** A weight's bound for one step from {@code before} to {@code after} (see the class comment). */
    public static double stepTolerance(long n, INDArray before, INDArray after) {
        return Tolerances.roundings(1, Tolerances.maxAbs(after)) + Tolerances.between(n, Tolerances.maxAbs(after.sub(before)));
    }

    /**
     * A weight known only after {@code steps} steps, from {@code start} to {@code end}: steps × the one-step bound
     * with the whole displacement standing for each step's update (an overestimate when the steps go one way, as in
     * the few epochs of a test fine-tune; the per-step references are not recorded there).
     */
    public static double finalWeightTolerance(long n, int steps, INDArray start, INDArray end) {
        return Tolerances.steps(steps, stepTolerance(n, start, end));
    }

    /** Kerasport's value of a binding in Keras's layout and shape. */
    public static INDArray kerasValue(ImportedModel im, WeightBinding b, long[] shape) {
        return Nd4j.create(b.layout().toKeras(im.graph().getParam(b.vertex() + "_" + b.param()), shape), shape, 'c');
    }

    /**
     * Fits one batch and compares the loss and every weight with Keras's.
     *
     * @param after Keras's weight after this step, by "layer__weight" key (the keras-reference "after__k__" suffix)
     */
    public void step(INDArray[] x, INDArray[] y, double wantLoss, Function<String, INDArray> after, String what) {
        long n = Tolerances.reductionLength(im.graph(), x) + im.graph().numParams();
        im.graph().fit(new MultiDataSet(x, y));
        step++;
        double lossTol = lossTolerance(lossFloor, n, step, wantLoss);
        double loss = im.graph().score();
        assertTrue(Tolerances.observe(what + " loss " + (step - 1), Math.abs(loss - wantLoss), lossTol), what + ": loss of step " + (step - 1) + " " + loss + " vs Keras "
                + wantLoss + ", |diff| " + Math.abs(loss - wantLoss) + " > tolerance " + lossTol);
        for (WeightBinding b : im.bindings()) {
            INDArray want = after.apply(key(b));
            INDArray prev = Nd4j.create(b.layout().toKeras(previous.get(key(b)), want.shape()), want.shape(), 'c');
            double acc = accumulated.getOrDefault(key(b), 0.0) + stepTolerance(n, prev, want);
            accumulated.put(key(b), acc);
            previous.put(key(b), param(b).dup());
            assertMaxDiff(want, kerasValue(im, b, want.shape()), weightFloor + acc, what + ": " + key(b) + " after step " + (step - 1));
        }
    }

    private static String key(WeightBinding b) {
        return b.kerasLayer() + "__" + b.kerasWeight();
    }

    private INDArray param(WeightBinding b) {
        return im.graph().getParam(b.vertex() + "_" + b.param());
    }
}
