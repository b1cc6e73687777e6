package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.UserInputException;
import org.kerasport.data.NdArray;
import org.kerasport.train.data.Folds;
import org.kerasport.train.data.TrainingData;

/** How folds are formed (documented in Folds so that Keras code reproduces them) and the λ grid. */
@Tag("unit")
class DecaySearchFoldsTest {
    private static TrainingData data(float[] y, int width) {
        int rows = y.length / width;
        return new TrainingData(List.of(new NdArray(new long[]{rows, 1}, new float[rows], "float32")),
                List.of(new NdArray(new long[]{rows, width}, y, "float32")));
    }

    @Test
    void contiguousFoldsAreSklearnKFoldBlocks() {
        Folds f = Folds.of(data(new float[]{0.5f, 1.5f, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1), 3, "mean_squared_error", false);
        assertFalse(f.stratified());
        assertArrayEquals(new int[]{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2}, f.assignment()); // 11 = 4 + 4 + 3
        assertArrayEquals(new int[]{4, 5, 6, 7}, f.valRows(1));
        assertArrayEquals(new int[]{0, 1, 2, 3, 8, 9, 10}, f.trainRows(1));
    }

    @Test
    void classIdsAreStratifiedRoundRobinInStableClassOrder() {
        float[] y = {1, 0, 1, 1, 0, 1, 0, 1};
        Folds f = Folds.of(data(y, 1), 2, "binary_crossentropy", false);
        assertTrue(f.stratified());
        // stable class order: rows 1,4,6 (class 0) then 0,2,3,5,7 (class 1); j-th -> fold j % 2
        assertArrayEquals(new int[]{1, 0, 0, 1, 1, 0, 0, 1}, f.assignment());
        // integral 0/1 targets under mse are regression, unless an accuracy metric says they are classes
        assertFalse(Folds.of(data(y, 1), 2, "mean_squared_error", false).stratified());
        assertTrue(Folds.of(data(y, 1), 2, "mean_squared_error", true).stratified());
    }

    @Test
    void oneHotTargetsAreStratifiedByTheirClass() {
        float[] y = {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}; // classes 2,0,1,2,1,0
        Folds f = Folds.of(data(y, 3), 3, "categorical_crossentropy", false);
        assertTrue(f.stratified());
        // order: rows 1,5 (0), 4 (1)... stable: class0 rows 1,5; class1 row 2? -> compute: classes [2,0,1,2,1,0]
        // class 0: rows 1,5; class 1: rows 2,4; class 2: rows 0,3 -> folds 0,1,2,0,1,2 in that order
        int[] want = new int[6];
        int[] order = {1, 5, 2, 4, 0, 3};
        for (int j = 0; j < 6; j++) want[order[j]] = j % 3;
        assertArrayEquals(want, f.assignment());
        float[] soft = y.clone();
        soft[2] = 0.5f;
        assertFalse(Folds.of(data(soft, 3), 3, "categorical_crossentropy", false).stratified());
    }

    @Test
    void foldCountMustFitTheRows() {
        assertThrows(UserInputException.class, () -> Folds.of(data(new float[]{1, 2, 3}, 1), 4, null, false));
        assertThrows(UserInputException.class, () -> Folds.of(data(new float[]{1, 2, 3}, 1), 1, null, false));
    }

    @Test
    void logGridHasBothEndsAndRoundValues() {
        assertEquals(List.of(1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1), DecaySearch.logGrid("log:1e-6:1e-1:6"));
        assertEquals(List.of(0.01, 0.1, 1.0), DecaySearch.logGrid("log:0.01:1:3"));
        assertThrows(UserInputException.class, () -> DecaySearch.logGrid("log:0:1:3"));
        assertThrows(UserInputException.class, () -> DecaySearch.logGrid("lin:1:2:3"));
        assertEquals(Math.sqrt(2.0), DecaySearch.sd(new double[]{1, 3}), 1e-12);
        assertTrue(Double.isNaN(DecaySearch.sd(new double[]{1})));
    }
}
