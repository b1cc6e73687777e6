package org.kerasport;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one place where numeric test tolerances are derived. Every tolerance of the suite is built from these rules
 * (never a bare number tuned on one CPU): tests must pass on any x86-64 CPU, any OpenBLAS core type and either ND4J
 * build, because BLAS kernels sum in different orders (blocking, FMA, vector width), and float32 only promises
 * rounding-error bounds, not bits.
 *
 * <p>The rules, u = 2^-24 (float32 unit roundoff, half an ulp of 1):
 * <ul>
 *   <li>{@link #sumWorst}: a float32 sum or dot product of n terms, in ANY order: |error| <= γ_n·Σ|terms|,
 *       γ_n = n·u/(1 − n·u) (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1, §4.2). Holds
 *       for every kernel; use it where it is still tight enough to catch the bug the test is about.</li>
 *   <li>{@link #sum}: the same sum, probabilistic bound λ·√n·u·Σ|terms| (Higham &amp; Mary, "A new approach to
 *       probabilistic rounding error analysis", SIAM J. Sci. Comput. 41(5), 2019): rounding errors of random data
 *       behave as independent zero-mean variables. λ = {@value #LAMBDA}: the bound fails with probability at most
 *       2n·exp(−λ²/2) ≈ 5e-11·n, under 1e-4 for every sum in this suite.</li>
 *   <li>{@link #between}: two independent implementations (real Keras on TensorFlow, Kerasport on ND4J) each
 *       within {@link #sum} of the exact value differ by at most twice that.</li>
 *   <li>{@link #roundings}: a fixed chain of k elementwise float32 operations (no long sums): k·u·|value| per
 *       implementation.</li>
 *   <li>{@link #steps}: a training trajectory: the error of each step adds to the next (no contraction assumed
 *       over the few steps the tests take), so a per-step bound grows linearly with the number of steps.</li>
 *   <li>{@link #reductionLength}: the n to use for a whole network: the longest chain of sums a forward and
 *       backward pass performs, bounded by Σ over layers of the layer's fan-in (parameters per output unit) plus
 *       the input elements of the batch (a weight gradient sums over every batch position).</li>
 * </ul>
 * Absolute floors: where a reference case documents an absolute tolerance for values near zero (case.json
 * "tolerance", ../shared/keras-reference/README.md), it is added to the derived part: relative bounds say nothing
 * about a result that cancels to near 0 (e.g. a gradient), whose error is set by the terms it cancelled.
 */
public final class Tolerances {
    private Tolerances() {
    }

    /** float32 unit roundoff 2^-24 (round to nearest). One ulp of 1 is 2u = 1.19e-7. */
    public static final double U = 0x1p-24;
    /** Probabilistic bounds' confidence factor (see the class comment). */
    public static final double LAMBDA = 7;

    /** Worst-case |error| of a float32 sum/dot of n terms whose absolute values add up to sumAbs (any order). */
    public static double sumWorst(long n, double sumAbs) {
        double g = n * U;
        if (g >= 0.5) throw new IllegalArgumentException("n = " + n + ": n·u too large for the worst-case bound");
        return g / (1 - g) * sumAbs;
    }

    /** Probabilistic |error| bound λ·√n·u·sumAbs of a float32 sum/dot of n terms, Σ|terms| = sumAbs. */
    public static double sum(long n, double sumAbs) {
        return LAMBDA * Math.sqrt(Math.max(1, n)) * U * sumAbs;
    }

    /** |a − b| bound for two independent float32 implementations of a sum/dot of n terms, Σ|terms| = sumAbs. */
    public static double between(long n, double sumAbs) {
        return 2 * sum(n, sumAbs);
    }

    /** k float32 roundings of a value of magnitude |value|, in each of two implementations: 2·k·u·|value|. */
    public static double roundings(int k, double value) {
        return 2.0 * k * U * Math.abs(value);
    }

    /** A per-step bound after {@code steps} training steps (errors add step by step). */
    public static double steps(int steps, double perStep) {
        return Math.max(1, steps) * perStep;
    }

    /**
     * The reduction length of a network's forward and backward pass (see the class comment): Σ over layers of
     * parameters per output unit (Dense: nIn + 1; Conv: kernel volume · input channels + 1; LSTM: 4·(nIn + units + 1),
     * over-counting its gates) plus the input elements of {@code batch} (pass the training batch for a training step,
     * nothing for inference). A recurrent layer counts one time step: the error its state carries from step to step is
     * damped by the gates (and by tanh's slope below 1) rather than added up.
     */
    public static long reductionLength(ComputationGraph g, INDArray... batch) {
        long n = 0;
        for (Layer l : g.getLayers()) {
            long p = l.numParams();
            long out = l.conf().getLayer() instanceof FeedForwardLayer f ? Math.max(1, f.getNOut()) : 1;
            n += Math.max(1, p / out);
        }
        for (INDArray x : batch) n += x.length();
        return n;
    }

    /**
     * Records one comparison: with -Dkerasport.tolerances.report=true (mvn passes it to the test JVM) prints
     * "tolerance-use RATIO what" (|diff| / tolerance) so a run on another CPU or kernel shows how much margin each
     * bound has. Returns whether |diff| <= tolerance.
     */
    public static boolean observe(String what, double diff, double tolerance) {
        if (Boolean.getBoolean("kerasport.tolerances.report"))
            System.err.printf(java.util.Locale.ROOT, "tolerance-use %.3f %s (|diff| %.3g, tolerance %.3g)%n",
                    diff / tolerance, what, diff, tolerance);
        return diff <= tolerance;
    }

    /** max |x| of an array, as a double (0 for an empty one). */
    public static double maxAbs(INDArray a) {
        return a.length() == 0 ? 0 : a.amaxNumber().doubleValue();
    }

    /** max |x| of a float array. */
    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
