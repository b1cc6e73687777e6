package org.kerasport.model;

/**
 * A Keras weight or activity regularizer, as written in the model file.
 *
 * <p>Keras semantics (all versions, no ½ factor): {@code L1(l1)} adds {@code l1·Σ|w|}, {@code L2(l2)} adds
 * {@code l2·Σw²}, {@code L1L2} adds both. DL4J's {@code L1Regularization(c)} is identical with c = l1;
 * DL4J's {@code L2Regularization(c)} adds {@code ½·c·Σw²}, so c = 2·l2 ({@link #dl4jL2()}).
 * {@link Orthogonal} has no DL4J counterpart; it is recognised and named so it is never dropped silently.
 */
public sealed interface Regularizer {

    /** Keras class name as Keras 3 writes it: L1, L2, L1L2, OrthogonalRegularizer. */
    String className();

    /** The class name exactly as the file wrote it (WeightRegularizer, L1L2Regularizer, L1L2, L2 ...). */
    String writtenAs();

    double l1();

    double l2();

    /** DL4J {@code L1Regularization} coefficient: the Keras l1 as is. */
    default double dl4jL1() {
        return l1();
    }

    /** DL4J {@code L2Regularization} coefficient: twice the Keras l2 (DL4J's penalty carries a ½). */
    default double dl4jL2() {
        return 2.0 * l2();
    }

    /** True when the regularizer adds nothing to the loss (e.g. {@code L1L2(0, 0)}). */
    default boolean isZero() {
        return l1() == 0.0 && l2() == 0.0;
    }

    /** Keras form for humans, e.g. {@code L2(l2=0.01)}. */
    String describe();

    record L1(double l1, String writtenAs) implements Regularizer {
        public String className() { return "L1"; }
        public double l2() { return 0.0; }
        public String describe() { return "L1(l1=" + l1 + ")"; }
    }

    record L2(double l2, String writtenAs) implements Regularizer {
        public String className() { return "L2"; }
        public double l1() { return 0.0; }
        public String describe() { return "L2(l2=" + l2 + ")"; }
    }

    record L1L2(double l1, double l2, String writtenAs) implements Regularizer {
        public String className() { return "L1L2"; }
        public String describe() { return "L1L2(l1=" + l1 + ", l2=" + l2 + ")"; }
    }

    /** Keras {@code OrthogonalRegularizer(factor, mode)}: a penalty on pairwise cosine similarity; not L1/L2. */
    record Orthogonal(double factor, String mode, String writtenAs) implements Regularizer {
        public String className() { return "OrthogonalRegularizer"; }
        public double l1() { return 0.0; }
        public double l2() { return 0.0; }
        public boolean isZero() { return factor == 0.0; }
        public String describe() { return "OrthogonalRegularizer(factor=" + factor + ", mode=" + mode + ")"; }
    }
}
