package org.kerasport.train.data;

import java.util.Arrays;
import java.util.Set;
import org.kerasport.UserInputException;
import org.kerasport.data.NdArray;
import org.kerasport.UsageException;

/**
 * K-fold cross-validation splits, formed from the data's own row order (no randomness, so Keras or NumPy code
 * reproduces them with one line each):
 * <ul>
 *   <li><b>stratified</b> when the (single) target holds classes: one-hot rows (width &gt; 1, one 1 and zeros
 *       elsewhere; class = the 1's index), or class ids (width 1, integral values) under
 *       {@code sparse_categorical_crossentropy}, {@code binary_crossentropy} or a hinge loss, or with an accuracy
 *       metric compiled (0/1 targets trained with mse and {@code metrics=["accuracy"]} are classes too). Rows are ordered stably
 *       by class (ascending class, data order within a class) and the j-th row of that order goes to fold
 *       {@code j mod K}: NumPy {@code fold[np.argsort(cls, kind="stable")] = np.arange(n) % K}. Every fold then holds
 *       each class's count / K rows, give or take one.</li>
 *   <li><b>contiguous</b> otherwise: fold f is the f-th block of consecutive rows, the first {@code n mod K} blocks
 *       one row longer ({@code n // K + 1} rows, the others {@code n // K}), as scikit-learn's
 *       {@code KFold(n_splits=K)} without shuffling.</li>
 * </ul>
 * The training part of fold f is every other row and its validation part fold f's rows, both in data order
 * (NumPy {@code x[fold != f]}, {@code x[fold == f]}). Shuffle the file beforehand when its rows are sorted.
 */
public final class Folds {
    /** Losses whose width-1 targets are class ids. */
    private static final Set<String> CLASS_ID_LOSSES = Set.of("sparse_categorical_crossentropy", "binary_crossentropy",
            "hinge", "squared_hinge", "categorical_hinge");

    private final int[] fold;
    private final int k;
    private final boolean stratified;

    private Folds(int[] fold, int k, boolean stratified) {
        this.fold = fold;
        this.k = k;
        this.stratified = stratified;
    }

    /**
     * The folds of {@code data} for a model whose (first) output has loss {@code lossName} (may be null) and, when
     * {@code accuracyMetric}, an accuracy metric.
     *
     * @throws UserInputException (usage) unless 2 ≤ k ≤ rows
     */
    public static Folds of(TrainingData data, int k, String lossName, boolean accuracyMetric) {
        long n = data.rows();
        if (k < 2 || k > n)
            throw new UsageException("--folds must be between 2 and the number of rows (" + n + "), got " + k);
        int[] cls = data.targets().size() == 1 ? classes(data.targets().get(0), lossName, accuracyMetric) : null;
        return cls == null ? contiguous((int) n, k) : stratified(cls, k);
    }

    /** Contiguous blocks, the first n mod k one row longer. */
    public static Folds contiguous(int n, int k) {
        int[] fold = new int[n];
        int start = 0;
        for (int f = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            Arrays.fill(fold, start, start + size, f);
            start += size;
        }
        return new Folds(fold, k, false);
    }

    /** Rows stably sorted by class, dealt round-robin. */
    public static Folds stratified(int[] cls, int k) {
        int n = cls.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(cls[a], cls[b])); // a stable merge sort for objects
        int[] fold = new int[n];
        for (int j = 0; j < n; j++) fold[order[j]] = j % k;
        return new Folds(fold, k, true);
    }

    /** The class of every row, or null when the targets are not class labels. */
    static int[] classes(NdArray t, String lossName, boolean accuracyMetric) {
        long rows = t.shape()[0];
        int width = (int) (rows == 0 ? 0 : t.data().length / rows);
        float[] v = t.data();
        int[] cls = new int[(int) rows];
        if (width == 1) {
            if (!accuracyMetric && (lossName == null || !CLASS_ID_LOSSES.contains(lossName))) return null;
            for (int i = 0; i < rows; i++) {
                if (v[i] != Math.rint(v[i])) return null;
                cls[i] = (int) v[i];
            }
            return cls;
        }
        for (int i = 0; i < rows; i++) {
            int hot = -1;
            for (int j = 0; j < width; j++) {
                float x = v[i * width + j];
                if (x == 1f && hot < 0) hot = j;
                else if (x != 0f) return null;
            }
            if (hot < 0) return null;
            cls[i] = hot;
        }
        return cls;
    }

    public int k() {
        return k;
    }

    public boolean stratified() {
        return stratified;
    }

    /** The fold of each row. */
    public int[] assignment() {
        return fold.clone();
    }

    /** Training rows of fold f (every row not in f), in data order. */
    public int[] trainRows(int f) {
        return Arrays.stream(indices()).filter(i -> fold[i] != f).toArray();
    }

    /** Validation rows of fold f, in data order. */
    public int[] valRows(int f) {
        return Arrays.stream(indices()).filter(i -> fold[i] == f).toArray();
    }

    private int[] indices() {
        int[] idx = new int[fold.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        return idx;
    }

    /** "5-fold stratified" / "5-fold contiguous". */
    public String describe() {
        return k + "-fold " + (stratified ? "stratified" : "contiguous");
    }
}
