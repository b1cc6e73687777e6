package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class NdArraysTest {
    /** The bulk copy gives what ND4J's own value-by-value constructor gives. */
    @Test
    void ofEqualsNd4jCreate() {
        Random r = new Random(5);
        for (long[] shape : new long[][]{{128, 784}, {3, 4, 5, 2}, {7}, {1, 1}, {}, {0, 3}}) {
            long n = 1;
            for (long d : shape) n *= d;
            float[] data = new float[(int) n];
            for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
            var want = Nd4j.create(data, shape, 'c');
            var got = NdArrays.of(data, shape);
            assertArrayEquals(want.shape(), got.shape());
            assertEquals(want.ordering(), got.ordering());
            if (n > 0) assertArrayEquals(want.dup().data().asFloat(), got.dup().data().asFloat(), java.util.Arrays.toString(shape)); // exactly
        }
        assertThrows(IllegalArgumentException.class, () -> NdArrays.of(new float[5], new long[]{2, 3}));
    }
}
